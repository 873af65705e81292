//! The clients modules give each other: a module built earlier provides a value (the IAM
//! directory, STS's session tokens, a client trait object), a later one takes it by type.

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::sync::Arc;

/// Values provided by modules, one per type.
#[derive(Default)]
pub struct Clients {
    provided: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Clients {
    /// Offers `value` to the modules built after this one (replacing one of the same type).
    pub fn provide<T: Any + Send + Sync>(&mut self, value: T) {
        self.provided.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if a module provided one.
    pub fn get<T: Any + Send + Sync + Clone>(&self) -> Option<T> {
        let value = self.provided.get(&TypeId::of::<T>())?;
        value.downcast_ref::<T>().cloned()
    }

    /// The value of type `T`, or an error naming what is missing: a module listed before the
    /// one providing it.
    pub fn require<T: Any + Send + Sync + Clone>(&self, needed_by: &str) -> Result<T, String> {
        self.get::<T>().ok_or_else(|| {
            format!(
                "{needed_by} needs {}, which no module listed before it provides",
                type_name::<T>()
            )
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_provided_value_is_found_by_its_type() {
        let mut clients = Clients::default();
        clients.provide(Arc::new(7u32));
        assert_eq!(clients.get::<Arc<u32>>().as_deref(), Some(&7));
        assert!(clients.get::<Arc<u64>>().is_none());
    }

    #[test]
    fn a_missing_client_names_the_type_and_the_module() {
        let clients = Clients::default();
        let err = clients.require::<Arc<String>>("sts").unwrap_err();
        assert!(err.starts_with("sts needs "), "{err}");
        assert!(err.contains("String"), "{err}");
    }
}
