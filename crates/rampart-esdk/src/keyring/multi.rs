//! The multi-keyring: a generator keyring makes the data key, every child encrypts it too;
//! on decrypt the keyrings are tried in order until one decrypts a data key.

use crate::error::{Error, Result};
use crate::materials::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring};

/// Several keyrings as one.
pub struct MultiKeyring {
    generator: Option<Box<dyn Keyring>>,
    children: Vec<Box<dyn Keyring>>,
}

impl MultiKeyring {
    /// A multi-keyring; without a generator, encryption needs a data key already present.
    pub fn new(
        generator: Option<Box<dyn Keyring>>,
        children: Vec<Box<dyn Keyring>>,
    ) -> Result<Self> {
        if generator.is_none() && children.is_empty() {
            return Err(Error::Usage(
                "a multi-keyring needs a generator or a child keyring",
            ));
        }
        Ok(Self {
            generator,
            children,
        })
    }
}

impl Keyring for MultiKeyring {
    fn on_encrypt(&self, materials: &mut EncryptionMaterials) -> Result<()> {
        match &self.generator {
            Some(generator) => generator.on_encrypt(materials)?,
            None if materials.data_key.is_none() => {
                return Err(Error::Keyring(
                    "a multi-keyring without a generator needs a data key".into(),
                ));
            }
            None => {}
        }
        for child in &self.children {
            child.on_encrypt(materials)?;
        }
        Ok(())
    }

    /// Tries each keyring; a keyring's hard failure is remembered and the next one tried, and
    /// the failures are reported only if none decrypts a data key (one failure as it was).
    fn on_decrypt(
        &self,
        materials: &mut DecryptionMaterials,
        encrypted: &[EncryptedDataKey],
    ) -> Result<()> {
        let mut failures = Vec::new();
        for keyring in self.generator.iter().chain(self.children.iter()) {
            if let Err(err) = keyring.on_decrypt(materials, encrypted) {
                failures.push(err);
            }
            if materials.data_key.is_some() {
                return Ok(());
            }
        }
        match failures.len() {
            0 => Ok(()),
            1 => Err(failures.remove(0)),
            _ => {
                let text: Vec<String> = failures.iter().map(ToString::to_string).collect();
                Err(Error::Keyring(text.join("; ")))
            }
        }
    }
}
