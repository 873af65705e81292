//! Virtual MFA devices: CreateVirtualMFADevice (a fresh 40-byte seed, returned once as
//! Base32 text and as a QR code PNG of its `otpauth://` URI, stored only sealed under the
//! credentials domain key), DeleteVirtualMFADevice (`DeleteConflict` while enabled),
//! ListVirtualMFADevices (by AssignmentStatus) and the device tags. Enabling, resyncing and
//! deactivating are in `mfa_assign.rs`. Devices are authorized on their serial number (ARN).

use super::common::{ATTEMPTS, already_exists, page, required, store_failure, tags_in, tags_out};
use super::common::{timestamp, too_busy};
use super::entity::scan_all;
use crate::IamService;
use crate::account_records::MfaDeviceRecord;
use crate::account_tables::AccountTables;
use crate::generated::enums::AssignmentStatusType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateVirtualMFADevice, DeleteVirtualMFADevice, ListMFADeviceTags, ListVirtualMFADevices,
    TagMFADevice, UntagMFADevice,
};
use crate::mfa_check::{open_seed, seed_aad};
use crate::records::TagRecord;
use crate::tables::{account_prefix, entity_row};
use crate::{qr_png, totp};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::{Blob, ServiceError};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};
use zeroize::Zeroizing;

/// The issuer named in the `otpauth://` URI, as AWS's.
const ISSUER: &str = "Amazon Web Services";

impl CreateVirtualMFADevice for IamService {
    async fn create_virtual_mfa_device(
        &self,
        ctx: &RequestContext,
        input: CreateVirtualMFADeviceRequest,
    ) -> Result<CreateVirtualMFADeviceResponse, ServiceError> {
        let name = required(input.virtual_mfa_device_name, "virtualMFADeviceName")?;
        let account = ctx.account().as_str();
        let path = input.path.unwrap_or_else(|| "/".to_owned());
        let tags = tags_in(input.tags, &[])?;
        let serial = format!("arn:aws:iam::{account}:mfa{path}{name}");
        self.authorize(ctx, "iam:CreateVirtualMFADevice", &serial)?;
        if !tags.is_empty() {
            self.authorize(ctx, "iam:TagMFADevice", &serial)?;
        }
        let seed = totp::new_seed();
        let sealed = self.seal_seed(&serial, &seed)?;
        let record = MfaDeviceRecord {
            account: account.to_owned(),
            name,
            path,
            created_ms: self.now_ms(),
            sealed_seed: sealed,
            user: None,
            tags,
        };
        self.insert_device(&record).await?;
        let uri = totp::otpauth_uri(ISSUER, &record.name, account, &seed);
        let png = qr_png::qr_png(&uri).map_err(store_failure)?;
        let mut device = device_out(&record);
        device.base32_string_seed = Some(Blob(seed.as_bytes().to_vec()));
        device.qr_code_png = Some(Blob(png));
        Ok(CreateVirtualMFADeviceResponse {
            virtual_mfa_device: Some(device),
        })
    }
}

impl DeleteVirtualMFADevice for IamService {
    async fn delete_virtual_mfa_device(
        &self,
        ctx: &RequestContext,
        input: DeleteVirtualMFADeviceRequest,
    ) -> Result<(), ServiceError> {
        let serial = required(input.serial_number, "serialNumber")?;
        self.authorize(ctx, "iam:DeleteVirtualMFADevice", &serial)?;
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self.device(ctx, &serial).await?;
            if found.value.user.is_some() {
                return Err(errors::delete_conflict_exception(
                    "MFA device is still in use; deactivate it first.",
                ));
            }
            let row = entity_row(&found.value.account, &found.value.name);
            let delete = tables
                .mfa_devices
                .delete(&row, Expect::Version(found.version));
            if self.commit(&found.value.account, vec![delete]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl ListVirtualMFADevices for IamService {
    async fn list_virtual_mfa_devices(
        &self,
        ctx: &RequestContext,
        input: ListVirtualMFADevicesRequest,
    ) -> Result<ListVirtualMFADevicesResponse, ServiceError> {
        self.authorize(ctx, "iam:ListVirtualMFADevices", "*")?;
        let status = input.assignment_status.unwrap_or(AssignmentStatusType::Any);
        let devices = self.devices(ctx.account().as_str()).await?;
        let matching: Vec<MfaDeviceRecord> = devices
            .into_iter()
            .filter(|d| match status {
                AssignmentStatusType::Assigned => d.user.is_some(),
                AssignmentStatusType::Unassigned => d.user.is_none(),
                _ => true,
            })
            .collect();
        let out = page(matching, input.marker.as_deref(), input.max_items, |d| {
            d.name.to_ascii_lowercase()
        })?;
        let mut devices = out.items;
        self.refresh_users(ctx.account().as_str(), &mut devices)
            .await?;
        Ok(ListVirtualMFADevicesResponse {
            virtual_mfa_devices: Some(devices.iter().map(device_out).collect()),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl TagMFADevice for IamService {
    async fn tag_mfa_device(
        &self,
        ctx: &RequestContext,
        input: TagMFADeviceRequest,
    ) -> Result<(), ServiceError> {
        let serial = required(input.serial_number, "serialNumber")?;
        let given = required(input.tags, "tags")?;
        tags_in(Some(given.clone()), &[])?;
        self.authorize(ctx, "iam:TagMFADevice", &serial)?;
        self.edit_device(ctx, &serial, |device| {
            device.tags = tags_in(Some(given.clone()), &device.tags)?;
            Ok(())
        })
        .await
    }
}

impl UntagMFADevice for IamService {
    async fn untag_mfa_device(
        &self,
        ctx: &RequestContext,
        input: UntagMFADeviceRequest,
    ) -> Result<(), ServiceError> {
        let serial = required(input.serial_number, "serialNumber")?;
        let removed = required(input.tag_keys, "tagKeys")?;
        self.authorize(ctx, "iam:UntagMFADevice", &serial)?;
        self.edit_device(ctx, &serial, |device| {
            device
                .tags
                .retain(|t| !removed.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
        .await
    }
}

impl ListMFADeviceTags for IamService {
    async fn list_mfa_device_tags(
        &self,
        ctx: &RequestContext,
        input: ListMFADeviceTagsRequest,
    ) -> Result<ListMFADeviceTagsResponse, ServiceError> {
        let serial = required(input.serial_number, "serialNumber")?;
        self.authorize(ctx, "iam:ListMFADeviceTags", &serial)?;
        let device = self.device(ctx, &serial).await?.value;
        let numbered: Vec<(String, TagRecord)> = device
            .tags
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("{i:04}"), t))
            .collect();
        let out = page(
            numbered,
            input.marker.as_deref(),
            input.max_items,
            |(i, _)| i.clone(),
        )?;
        let tags: Vec<TagRecord> = out.items.into_iter().map(|(_, t)| t).collect();
        Ok(ListMFADeviceTagsResponse {
            tags: Some(tags_out(&tags).unwrap_or_default()),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl IamService {
    /// Seals a seed under the credentials domain key, bound to its serial number.
    fn seal_seed(&self, serial: &str, seed: &str) -> Result<String, ServiceError> {
        let key = self.dir.credentials.sealing_key();
        let sealed = key
            .try_wrap(seed.as_bytes(), &seed_aad(serial))
            .map_err(store_failure)?;
        Ok(STANDARD.encode(sealed))
    }

    /// The seed of `device` (Base32 text).
    pub(crate) fn open_seed(
        &self,
        device: &MfaDeviceRecord,
    ) -> Result<Zeroizing<String>, ServiceError> {
        open_seed(self.dir.credentials.sealing_key(), device).map_err(store_failure)
    }

    /// Brings the user name and path stored with each assignment up to date (a user may
    /// have been renamed or moved since the device was enabled).
    async fn refresh_users(
        &self,
        account: &str,
        devices: &mut [MfaDeviceRecord],
    ) -> Result<(), ServiceError> {
        if devices.iter().all(|d| d.user.is_none()) {
            return Ok(());
        }
        let users = scan_all(self.dir.tables.users.table(), &account_prefix(account)).await?;
        for assigned in devices.iter_mut().filter_map(|d| d.user.as_mut()) {
            if let Some((_, user)) = users.iter().find(|(_, u)| u.user_id == assigned.user_id) {
                assigned.user_name = user.name.clone();
                assigned.user_path = user.path.clone();
            }
        }
        Ok(())
    }

    /// Writes a new device unless one of its name exists.
    async fn insert_device(&self, record: &MfaDeviceRecord) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = entity_row(&record.account, &record.name);
        let put = tables.mfa_devices.put(&row, record, Expect::Absent);
        if self
            .commit(&record.account, vec![put.map_err(store_failure)?])
            .await?
        {
            return Ok(());
        }
        let exists = tables.mfa_devices.get(&row).await.map_err(store_failure)?;
        match exists {
            Some(_) => Err(errors::entity_already_exists_exception(
                "MFADevice entity at the same path and name already exists.",
            )),
            None => Err(already_exists("MFADevice", &record.name)),
        }
    }

    /// The device of the caller's account with serial number `serial`; `NoSuchEntity`
    /// otherwise.
    pub(crate) async fn device(
        &self,
        ctx: &RequestContext,
        serial: &str,
    ) -> Result<Versioned<MfaDeviceRecord>, ServiceError> {
        let account = ctx.account().as_str();
        let prefix = format!("arn:aws:iam::{account}:mfa/");
        let name = serial
            .strip_prefix(&prefix)
            .and_then(|rest| rest.rsplit('/').next());
        let tables = AccountTables::new(&self.dir.tables.store);
        let found = match name {
            Some(name) => {
                let row = entity_row(account, name);
                tables.mfa_devices.get(&row).await.map_err(store_failure)?
            }
            None => None,
        };
        found
            .filter(|d| d.value.serial() == serial)
            .ok_or_else(|| no_device(serial))
    }

    /// Every device of `account`, by name.
    pub(crate) async fn devices(
        &self,
        account: &str,
    ) -> Result<Vec<MfaDeviceRecord>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let rows = scan_all(&tables.mfa_devices, &account_prefix(account)).await?;
        Ok(rows.into_iter().map(|(_, d)| d).collect())
    }

    /// Read-modify-write of the device `serial`; `edit` may refuse.
    pub(crate) async fn edit_device(
        &self,
        ctx: &RequestContext,
        serial: &str,
        mut edit: impl FnMut(&mut MfaDeviceRecord) -> Result<(), ServiceError>,
    ) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self.device(ctx, serial).await?;
            let mut device = found.value.clone();
            edit(&mut device)?;
            let row = entity_row(&device.account, &device.name);
            let put = tables
                .mfa_devices
                .put(&row, &device, Expect::Version(found.version));
            if self
                .commit(&device.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// `NoSuchEntity` for an unknown serial number.
pub(crate) fn no_device(serial: &str) -> ServiceError {
    errors::no_such_entity_exception(format!(
        "VirtualMFADevice with serial number {serial} doesn't exist."
    ))
}

/// A device as lists show it (never its seed).
fn device_out(device: &MfaDeviceRecord) -> VirtualMFADevice {
    let account = &device.account;
    let user = device.user.as_ref().map(|u| User {
        arn: Some(format!(
            "arn:aws:iam::{account}:user{}{}",
            u.user_path, u.user_name
        )),
        create_date: Some(timestamp(u.user_created_ms)),
        path: Some(u.user_path.clone()),
        user_id: Some(u.user_id.clone()),
        user_name: Some(u.user_name.clone()),
        ..User::default()
    });
    VirtualMFADevice {
        serial_number: Some(device.serial()),
        enable_date: device.user.as_ref().map(|u| timestamp(u.enabled_ms)),
        user,
        tags: tags_out(&device.tags),
        ..VirtualMFADevice::default()
    }
}
