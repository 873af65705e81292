//! MFA devices and users: EnableMFADevice (two consecutive TOTP codes at successive 30-second
//! steps, the first no more than two minutes old by the service clock), ResyncMFADevice (the
//! same within an hour either way), DeactivateMFADevice, ListMFADevices and GetMFADevice; and
//! DeleteUser's rule that a user's MFA devices go first. A code's step is remembered so no
//! code is accepted twice. Authorized on the user's ARN.

use super::common::{page, required, timestamp};
use super::entity::Keys;
use super::mfa::no_device;
use crate::IamService;
use crate::account_records::{MfaAssignment, MfaDeviceRecord};
use crate::directory::last_segment;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DeactivateMFADevice, EnableMFADevice, GetMFADevice, ListMFADevices, ResyncMFADevice,
};
use crate::records::UserRecord;
use crate::totp;
use rampart_codec::ServiceError;
use rampart_core::{PrincipalKind, RequestContext};

/// Steps back from now the first code of EnableMFADevice may be (two minutes).
const ENABLE_WINDOW: i64 = 4;
/// Steps either way ResyncMFADevice searches (an hour).
const RESYNC_WINDOW: i64 = 120;

impl EnableMFADevice for IamService {
    async fn enable_mfa_device(
        &self,
        ctx: &RequestContext,
        input: EnableMFADeviceRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let serial = required(input.serial_number, "serialNumber")?;
        let first = required(input.authentication_code1, "authenticationCode1")?;
        let second = required(input.authentication_code2, "authenticationCode2")?;
        let user = self
            .existing::<UserRecord>(ctx, "iam:EnableMFADevice", &name, Keys::Plain)
            .await?
            .value;
        let now = self.now_ms();
        let step = totp::step_at(now);
        self.edit_device(ctx, &serial, |device| {
            if device.user.is_some() {
                return Err(errors::entity_already_exists_exception(
                    "MFA Device is already in use.",
                ));
            }
            let found = self.check_codes(device, &first, &second, step - ENABLE_WINDOW, step)?;
            device.user = Some(assignment(&user, now, found + 1));
            Ok(())
        })
        .await
    }
}

impl ResyncMFADevice for IamService {
    async fn resync_mfa_device(
        &self,
        ctx: &RequestContext,
        input: ResyncMFADeviceRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let serial = required(input.serial_number, "serialNumber")?;
        let first = required(input.authentication_code1, "authenticationCode1")?;
        let second = required(input.authentication_code2, "authenticationCode2")?;
        let user = self
            .existing::<UserRecord>(ctx, "iam:ResyncMFADevice", &name, Keys::Plain)
            .await?
            .value;
        let step = totp::step_at(self.now_ms());
        self.edit_device(ctx, &serial, |device| {
            let last = assigned_to(device, &user, &serial)?.last_step;
            let earliest = (step - RESYNC_WINDOW).max(last + 1);
            let found =
                self.check_codes(device, &first, &second, earliest, step + RESYNC_WINDOW)?;
            if let Some(assigned) = device.user.as_mut() {
                assigned.last_step = found + 1;
            }
            Ok(())
        })
        .await
    }
}

impl DeactivateMFADevice for IamService {
    async fn deactivate_mfa_device(
        &self,
        ctx: &RequestContext,
        input: DeactivateMFADeviceRequest,
    ) -> Result<(), ServiceError> {
        let serial = required(input.serial_number, "serialNumber")?;
        let name = user_or_caller(ctx, input.user_name)?;
        let user = self
            .existing::<UserRecord>(ctx, "iam:DeactivateMFADevice", &name, Keys::Plain)
            .await?
            .value;
        self.edit_device(ctx, &serial, |device| {
            assigned_to(device, &user, &serial)?;
            device.user = None;
            Ok(())
        })
        .await
    }
}

impl ListMFADevices for IamService {
    async fn list_mfa_devices(
        &self,
        ctx: &RequestContext,
        input: ListMFADevicesRequest,
    ) -> Result<ListMFADevicesResponse, ServiceError> {
        let Ok(name) = user_or_caller(ctx, input.user_name) else {
            // The root (or a role session) without UserName: the root's own devices, which
            // Rampart does not hold.
            self.authorize(ctx, "iam:ListMFADevices", "*")?;
            return Ok(ListMFADevicesResponse {
                mfa_devices: Some(Vec::new()),
                is_truncated: Some(false),
                marker: None,
            });
        };
        let user = self
            .existing::<UserRecord>(ctx, "iam:ListMFADevices", &name, Keys::Plain)
            .await?
            .value;
        let devices = self.devices(&user.account).await?;
        let mine: Vec<MFADevice> = devices
            .iter()
            .filter_map(|d| {
                let assigned = d.user.as_ref().filter(|u| u.user_id == user.user_id)?;
                Some(MFADevice {
                    enable_date: Some(timestamp(assigned.enabled_ms)),
                    serial_number: Some(d.serial()),
                    user_name: Some(user.name.clone()),
                })
            })
            .collect();
        let out = page(mine, input.marker.as_deref(), input.max_items, |d| {
            d.serial_number.clone().unwrap_or_default()
        })?;
        Ok(ListMFADevicesResponse {
            mfa_devices: Some(out.items),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl GetMFADevice for IamService {
    async fn get_mfa_device(
        &self,
        ctx: &RequestContext,
        input: GetMFADeviceRequest,
    ) -> Result<GetMFADeviceResponse, ServiceError> {
        let serial = required(input.serial_number, "serialNumber")?;
        let name = user_or_caller(ctx, input.user_name)?;
        let user = self
            .existing::<UserRecord>(ctx, "iam:GetMFADevice", &name, Keys::Plain)
            .await?
            .value;
        let device = self.device(ctx, &serial).await?.value;
        let assigned = assigned_to(&device, &user, &serial)?;
        Ok(GetMFADeviceResponse {
            certifications: None,
            enable_date: Some(timestamp(assigned.enabled_ms)),
            serial_number: Some(serial),
            user_name: Some(user.name.clone()),
        })
    }
}

impl IamService {
    /// The step of `first` when `first` and `second` are the device's codes at two
    /// consecutive steps within `earliest..=latest`; `InvalidAuthenticationCode` otherwise.
    fn check_codes(
        &self,
        device: &MfaDeviceRecord,
        first: &str,
        second: &str,
        earliest: i64,
        latest: i64,
    ) -> Result<i64, ServiceError> {
        let seed = self.open_seed(device)?;
        totp::consecutive(&seed, first, second, earliest, latest).ok_or_else(|| {
            errors::invalid_authentication_code_exception(
                "Authentication code for device is not valid.",
            )
        })
    }

    /// `DeleteConflict` while `user` has an MFA device enabled (DeleteUser's rule).
    pub(crate) async fn mfa_conflicts(&self, user: &UserRecord) -> Result<(), ServiceError> {
        let devices = self.devices(&user.account).await?;
        if devices
            .iter()
            .any(|d| d.user.as_ref().is_some_and(|u| u.user_id == user.user_id))
        {
            return Err(errors::delete_conflict_exception(
                "Cannot delete entity, must delete MFA device first.",
            ));
        }
        Ok(())
    }
}

/// The device's assignment when it is enabled for `user`; `NoSuchEntity` otherwise.
fn assigned_to<'a>(
    device: &'a MfaDeviceRecord,
    user: &UserRecord,
    serial: &str,
) -> Result<&'a MfaAssignment, ServiceError> {
    device
        .user
        .as_ref()
        .filter(|u| u.user_id == user.user_id)
        .ok_or_else(|| no_device(serial))
}

fn assignment(user: &UserRecord, now_ms: i64, last_step: i64) -> MfaAssignment {
    MfaAssignment {
        user_name: user.name.clone(),
        user_id: user.user_id.clone(),
        user_path: user.path.clone(),
        user_created_ms: user.created_ms,
        enabled_ms: now_ms,
        last_step,
    }
}

/// The user a call names, or the calling IAM user.
fn user_or_caller(ctx: &RequestContext, given: Option<String>) -> Result<String, ServiceError> {
    match given {
        Some(name) => Ok(name),
        None if ctx.principal.kind == PrincipalKind::IamUser => {
            Ok(last_segment(&ctx.principal.arn).to_owned())
        }
        None => Err(ServiceError::new(
            "ValidationError",
            400,
            "Must specify userName when calling with non-User credentials",
        )),
    }
}
