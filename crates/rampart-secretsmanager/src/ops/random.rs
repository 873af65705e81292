//! GetRandomPassword: default length 32, every class included and each required.

use crate::SecretsManagerService;
use crate::generated::errors::invalid_parameter_exception;
use crate::generated::{GetRandomPassword, GetRandomPasswordRequest};
use crate::generated::{GetRandomPasswordResponse, ServiceError};
use crate::password::{Options, PasswordError, generate};
use crate::service::authorize;
use rampart_core::RequestContext;

impl GetRandomPassword for SecretsManagerService {
    async fn get_random_password(
        &self,
        ctx: &RequestContext,
        input: GetRandomPasswordRequest,
    ) -> Result<GetRandomPasswordResponse, ServiceError> {
        authorize(ctx, "secretsmanager:GetRandomPassword", "*")?;
        let options = Options {
            length: usize::try_from(input.password_length.unwrap_or(32)).unwrap_or(32),
            exclude: input.exclude_characters.unwrap_or_default(),
            lowercase: !input.exclude_lowercase.unwrap_or(false),
            uppercase: !input.exclude_uppercase.unwrap_or(false),
            numbers: !input.exclude_numbers.unwrap_or(false),
            punctuation: !input.exclude_punctuation.unwrap_or(false),
            space: input.include_space.unwrap_or(false),
            require_each: input.require_each_included_type.unwrap_or(true),
        };
        let password = generate(&options).map_err(|e| match e {
            PasswordError::NoCharacters => invalid_parameter_exception(
                "The password can't be generated: every character type is excluded.",
            ),
            PasswordError::TooShort => invalid_parameter_exception(
                "The password length is too short to include every required character type.",
            ),
        })?;
        Ok(GetRandomPasswordResponse {
            random_password: Some(password),
        })
    }
}
