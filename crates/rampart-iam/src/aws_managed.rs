//! AWS managed policies (`arn:aws:iam::aws:policy/...`) that Rampart knows: their documents,
//! as AWS publishes them, for attaching and for authorization.

/// An AWS managed policy.
#[derive(Debug, Clone, Copy)]
pub struct AwsManagedPolicy {
    /// Name, e.g. `AdministratorAccess`.
    pub name: &'static str,
    /// Path, e.g. `/` or `/job-function/`.
    pub path: &'static str,
    /// Unique id (`ANPA...`), as AWS shows it.
    pub policy_id: &'static str,
    /// Current version id, e.g. `v1`.
    pub version_id: &'static str,
    /// The document of that version.
    pub document: &'static str,
    /// Description.
    pub description: &'static str,
}

/// Every AWS managed policy Rampart knows.
pub const POLICIES: &[AwsManagedPolicy] = &[AwsManagedPolicy {
    name: "AdministratorAccess",
    path: "/",
    policy_id: "ANPAIWMBCKSKIEE64ZLYK",
    version_id: "v1",
    document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    description: "Provides full access to AWS services and resources.",
}];

impl AwsManagedPolicy {
    /// `arn:aws:iam::aws:policy<path><name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }
}

/// The AWS managed policy with ARN `arn`, if Rampart knows it.
pub fn find(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let rest = arn.strip_prefix("arn:aws:iam::aws:policy")?;
    POLICIES
        .iter()
        .find(|p| rest.strip_prefix(p.path) == Some(p.name))
}
