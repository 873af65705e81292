//! Pure KMS domain: key records and their state machine, ids/ARNs/aliases, validation rules,
//! pagination markers and the error enum. No storage, no crypto, no generated wire types.

mod alias;
mod asymmetric;
mod error;
pub mod grants;
mod ids;
pub mod import;
mod key;
mod paging;
mod policy;
pub mod rotation;
mod tags;
mod validate;

pub use alias::{
    AliasRecord, ListedAlias, PREDEFINED_ALIASES, reject_alias_target, validate_alias_name,
    with_predefined,
};
pub use asymmetric::{
    EXTERNAL_MU_LEN, algorithm_error, check_message, check_plaintext_len, context_not_supported,
    data_key_pair_spec, digest_len, invalid_public_key, material_error, plaintext_too_long,
    require_usage, usage_error,
};
pub use error::KmsError;
pub use grants::{GrantRecord, check_grant_tokens};
pub use ids::{
    Accept, KeyRef, KmsArns, Scope, is_key_id, new_key_id, new_multi_region_key_id, parse_key_ref,
};
pub use key::{
    ImportConfig, KeyRecord, KeyState, MultiRegionConfig, PendingMaterial, RotationConfig,
};
pub use paging::{ListKind, Page, decode_marker, encode_marker};
pub use policy::{DEFAULT_POLICY_NAME, PolicyRecord, check_policy_name, default_key_policy};
pub use tags::{MAX_TAGS_PER_KEY, TagSet, check_tag_key};
pub use validate::{
    KeyKind, KeyOptions, check_key_options, data_key_len, encryption_algorithm,
    pending_window_days, random_len,
};
