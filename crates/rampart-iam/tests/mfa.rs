//! Virtual MFA devices through the query-protocol dispatcher over a service whose clock the
//! test moves, on SQLite and (when `RAMPART_TEST_POSTGRES_URL` is set) PostgreSQL: the seed
//! and QR code returned once and stored sealed, enabling with two consecutive TOTP codes,
//! resync, deactivation, deletion rules, listings and tags.

#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{ACCOUNT, Bench, assert_error, value, values};
use rampart_codec::{QueryNode, ServiceError};
use rampart_core::{Clock, ManualClock, RequestContext};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::account_tables::AccountTables;
use rampart_iam::generated::dispatch;
use rampart_iam::totp::{code, step_at};
use rampart_iam::{Directory, IamService};
use std::sync::Arc;
use time::OffsetDateTime;

/// An IAM service over the bench's store with a manual clock.
struct Timed {
    iam: IamService,
    dir: Arc<Directory>,
    clock: Arc<ManualClock>,
    root: RequestContext,
}

impl Timed {
    fn over(b: &Bench) -> Timed {
        let start = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let key = RootKey::generate().domain_key(Domain::Credentials);
        let dir = Arc::new(Directory::new(
            b.dir.tables.store.clone(),
            key,
            clock.clone(),
        ));
        Timed {
            iam: IamService::new(dir.clone()),
            dir,
            clock,
            root: b.root(),
        }
    }

    async fn call(&self, action: &str, params: &str) -> Result<String, ServiceError> {
        let form = format!("Action={action}&Version=2010-05-08&{params}");
        let node = QueryNode::parse_form(form.as_bytes());
        let invocation = Box::pin(dispatch(&self.iam, &self.root, action, &node)).await;
        invocation.result.map(|b| String::from_utf8(b).unwrap())
    }

    async fn ok(&self, action: &str, params: &str) -> String {
        match self.call(action, params).await {
            Ok(xml) => xml,
            Err(e) => panic!("{action} {params}: {} {}", e.code, e.message),
        }
    }

    async fn err(&self, action: &str, params: &str) -> ServiceError {
        self.call(action, params).await.unwrap_err()
    }

    fn step(&self) -> i64 {
        let ms = self.clock.now().unix_timestamp() * 1000;
        step_at(ms)
    }

    fn advance(&self, seconds: i64) {
        let now = self.clock.now();
        self.clock.set(now + time::Duration::seconds(seconds));
    }
}

#[tokio::test]
async fn virtual_mfa_life() {
    mfa_life(&Bench::new().await).await;
}

#[tokio::test]
async fn virtual_mfa_life_postgres() {
    let Some(b) = Bench::postgres().await else {
        return;
    };
    mfa_life(&b).await;
    b.cleanup().await;
}

async fn mfa_life(b: &Bench) {
    let t = Timed::over(b);
    t.ok("CreateUser", "UserName=kim").await;
    let made = t
        .ok(
            "CreateVirtualMFADevice",
            "VirtualMFADeviceName=kim-phone&Tags.member.1.Key=team&Tags.member.1.Value=a",
        )
        .await;
    let serial = value(&made, "SerialNumber").unwrap();
    assert_eq!(serial, format!("arn:aws:iam::{ACCOUNT}:mfa/kim-phone"));
    let seed = STANDARD
        .decode(value(&made, "Base32StringSeed").unwrap())
        .unwrap();
    let seed = String::from_utf8(seed).unwrap();
    assert_eq!(seed.len(), 64);
    let png = STANDARD.decode(value(&made, "QRCodePNG").unwrap()).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let stored = AccountTables::new(&b.dir.tables.store)
        .mfa_devices
        .get(&format!("{ACCOUNT}/kim-phone"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !serde_json::to_string(&stored.value)
            .unwrap()
            .contains(&seed)
    );
    let again = t
        .err("CreateVirtualMFADevice", "VirtualMFADeviceName=kim-phone")
        .await;
    assert_eq!(again.code, "EntityAlreadyExists");

    let unassigned = t
        .ok("ListVirtualMFADevices", "AssignmentStatus=Unassigned")
        .await;
    assert_eq!(values(&unassigned, "SerialNumber"), [serial.as_str()]);
    assert!(value(&unassigned, "Base32StringSeed").is_none());
    let assigned = t
        .ok("ListVirtualMFADevices", "AssignmentStatus=Assigned")
        .await;
    assert!(values(&assigned, "SerialNumber").is_empty());

    let step = t.step();
    let enable = |a: &str, c: &str| {
        format!(
            "UserName=kim&SerialNumber={serial}&AuthenticationCode1={a}&AuthenticationCode2={c}"
        )
    };
    let (c1, c2) = (code(&seed, step - 1).unwrap(), code(&seed, step).unwrap());
    let swapped = t.err("EnableMFADevice", &enable(&c2, &c1)).await;
    assert_error(
        &swapped,
        "InvalidAuthenticationCode",
        "Authentication code for device is not valid.",
    );
    t.ok("EnableMFADevice", &enable(&c1, &c2)).await;
    let twice = t.err("EnableMFADevice", &enable(&c1, &c2)).await;
    assert_eq!(twice.code, "EntityAlreadyExists");

    let listed = t.ok("ListMFADevices", "UserName=kim").await;
    assert_eq!(values(&listed, "SerialNumber"), [serial.as_str()]);
    assert_eq!(values(&listed, "UserName"), ["kim"]);
    let got = t
        .ok(
            "GetMFADevice",
            &format!("UserName=kim&SerialNumber={serial}"),
        )
        .await;
    assert!(value(&got, "EnableDate").is_some());
    let assigned = t
        .ok("ListVirtualMFADevices", "AssignmentStatus=Assigned")
        .await;
    assert_eq!(values(&assigned, "UserName"), ["kim"]);
    assert_eq!(
        value(&assigned, "Arn").unwrap(),
        format!("arn:aws:iam::{ACCOUNT}:user/kim")
    );
    // Lists show the user as it is now.
    t.ok("UpdateUser", "UserName=kim&NewPath=%2Fops%2F").await;
    let moved = t
        .ok("ListVirtualMFADevices", "AssignmentStatus=Assigned")
        .await;
    assert_eq!(
        value(&moved, "Arn").unwrap(),
        format!("arn:aws:iam::{ACCOUNT}:user/ops/kim")
    );

    let summary = t.ok("GetAccountSummary", "").await;
    for key in ["MFADevices", "MFADevicesInUse"] {
        let at = summary.find(&format!("<key>{key}</key>")).unwrap();
        assert_eq!(value(&summary[at..], "value").as_deref(), Some("1"));
    }

    let in_use = t
        .err("DeleteVirtualMFADevice", &format!("SerialNumber={serial}"))
        .await;
    assert_eq!(in_use.code, "DeleteConflict");
    let user_conflict = t.err("DeleteUser", "UserName=kim").await;
    assert_error(
        &user_conflict,
        "DeleteConflict",
        "Cannot delete entity, must delete MFA device first.",
    );

    // Ten minutes later the device has drifted: resync with two fresh codes; the codes
    // already used are refused.
    t.advance(600);
    let resync = |a: &str, c: &str| enable(a, c);
    let stale = t.err("ResyncMFADevice", &resync(&c1, &c2)).await;
    assert_eq!(stale.code, "InvalidAuthenticationCode");
    let now = t.step();
    let (r1, r2) = (code(&seed, now).unwrap(), code(&seed, now + 1).unwrap());
    t.ok("ResyncMFADevice", &resync(&r1, &r2)).await;

    // STS's check: the current code once, never a used step, never another user's device.
    let user_id = b.user("kim").await.unwrap().user_id;
    let verify = |code: String| {
        let (dir, serial, user_id) = (t.dir.clone(), serial.clone(), user_id.clone());
        async move {
            dir.verify_mfa_code(ACCOUNT, &user_id, &serial, &code)
                .await
                .unwrap()
        }
    };
    assert!(!verify(r2.clone()).await, "the resync codes are used");
    t.advance(60);
    let current = code(&seed, t.step()).unwrap();
    let other = t
        .dir
        .verify_mfa_code(ACCOUNT, "AIDAOTHER", &serial, &current);
    assert!(!other.await.unwrap(), "not another user's device");
    assert!(verify(current.clone()).await);
    assert!(!verify(current.clone()).await, "a code is accepted once");

    t.ok("ListMFADeviceTags", &format!("SerialNumber={serial}"))
        .await;
    t.ok(
        "TagMFADevice",
        &format!("SerialNumber={serial}&Tags.member.1.Key=env&Tags.member.1.Value=prod"),
    )
    .await;
    t.ok(
        "UntagMFADevice",
        &format!("SerialNumber={serial}&TagKeys.member.1=team"),
    )
    .await;
    let tags = t
        .ok("ListMFADeviceTags", &format!("SerialNumber={serial}"))
        .await;
    assert_eq!(values(&tags, "Key"), ["env"]);

    t.ok(
        "DeactivateMFADevice",
        &format!("UserName=kim&SerialNumber={serial}"),
    )
    .await;
    let none = t.ok("ListMFADevices", "UserName=kim").await;
    assert!(values(&none, "SerialNumber").is_empty());
    t.ok("DeleteVirtualMFADevice", &format!("SerialNumber={serial}"))
        .await;
    let gone = t
        .err("DeleteVirtualMFADevice", &format!("SerialNumber={serial}"))
        .await;
    assert_error(
        &gone,
        "NoSuchEntity",
        &format!("VirtualMFADevice with serial number {serial} doesn't exist."),
    );
    t.ok("DeleteUser", "UserName=kim").await;
}
