//! Tests of share collection: commitments, forged shares, and records without commitments.

use super::*;
use crate::random;
use crate::root::Domain;
use crate::seal::init_shamir;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn same_root(a: &RootKey, b: &RootKey) -> bool {
    *a.domain_key(Domain::Kms).0 == *b.domain_key(Domain::Kms).0
}

/// A well-formed share of index `index` that belongs to no seal.
fn forged(index: u8) -> String {
    format!(
        "rampart-share-v1:{index}:{}",
        URL_SAFE_NO_PAD.encode(random::bytes(32))
    )
}

/// `share` with one base64 character changed.
fn mistyped(share: &str) -> String {
    let mut chars: Vec<char> = share.chars().collect();
    let last = chars.len() - 5;
    chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

fn counted(outcome: ShareOutcome) -> (usize, usize) {
    match outcome {
        ShareOutcome::Counted { given, threshold } => (given, threshold),
        other => panic!("expected Counted, got {other:?}"),
    }
}

fn opened(outcome: ShareOutcome) -> (RootKey, Option<SealedRoot>) {
    match outcome {
        ShareOutcome::Unsealed { root, upgraded } => (root, upgraded),
        other => panic!("expected Unsealed, got {other:?}"),
    }
}

/// The record as a store written before share commitments held it.
fn as_format_1(sealed: &SealedRoot) -> SealedRoot {
    let mut json = serde_json::to_value(sealed).unwrap();
    let object = json.as_object_mut().unwrap();
    object.insert("format".into(), 1.into());
    object.remove("share_check");
    serde_json::from_value(json).unwrap()
}

#[test]
fn any_three_of_five_unseal() {
    let (root, sealed, shares) = init_shamir(5, 3).unwrap();
    assert!(sealed.verifies_shares());
    for a in 0..5 {
        for b in a + 1..5 {
            for c in b + 1..5 {
                let mut unsealer = ShamirUnsealer::new(sealed.clone()).unwrap();
                assert_eq!(unsealer.progress(), (0, 3));
                assert_eq!(counted(unsealer.add_share(&shares[c]).unwrap()), (1, 3));
                assert_eq!(counted(unsealer.add_share(&shares[a]).unwrap()), (2, 3));
                let (unsealed, upgraded) = opened(unsealer.add_share(&shares[b]).unwrap());
                assert!(same_root(&root, &unsealed), "{a},{b},{c}");
                assert!(upgraded.is_none());
            }
        }
    }
}

#[test]
fn forged_or_mistyped_shares_are_refused_without_touching_progress() {
    let (root, sealed, shares) = init_shamir(5, 3).unwrap();
    let (_, _, foreign) = init_shamir(5, 3).unwrap();
    let mut unsealer = ShamirUnsealer::new(sealed).unwrap();
    let refused = |u: &mut ShamirUnsealer, share: &str| {
        let err = u.add_share(share).unwrap_err();
        assert!(matches!(err, CryptoError::Unseal(_)), "{err}");
        assert!(
            !err.to_string().contains(share),
            "errors never echo the share"
        );
        err.to_string()
    };
    // Before, between and after the real ones, at the real shares' indices and others.
    for bad in [forged(1), forged(2), foreign[0].clone()] {
        let msg = refused(&mut unsealer, &bad);
        assert!(msg.contains("progress is unchanged"), "{msg}");
    }
    assert_eq!(unsealer.progress(), (0, 3));
    assert_eq!(counted(unsealer.add_share(&shares[0]).unwrap()), (1, 3));
    refused(&mut unsealer, &mistyped(&shares[1]));
    refused(&mut unsealer, &forged(1));
    refused(&mut unsealer, "not a share");
    assert_eq!(
        counted(unsealer.add_share(&shares[0]).unwrap()),
        (1, 3),
        "a repeat"
    );
    assert_eq!(counted(unsealer.add_share(&shares[1]).unwrap()), (2, 3));
    refused(&mut unsealer, &foreign[2]);
    refused(&mut unsealer, &forged(3));
    let msg = refused(&mut unsealer, &forged(6));
    assert!(msg.contains("no share of this seal has index 6"), "{msg}");
    assert_eq!(unsealer.progress(), (2, 3));
    let (unsealed, _) = opened(unsealer.add_share(&shares[2]).unwrap());
    assert!(same_root(&root, &unsealed));
}

#[test]
fn one_of_one() {
    let (root, sealed, shares) = init_shamir(1, 1).unwrap();
    let mut unsealer = ShamirUnsealer::new(sealed).unwrap();
    assert!(unsealer.add_share(&forged(1)).is_err());
    let (unsealed, _) = opened(unsealer.add_share(&shares[0]).unwrap());
    assert!(same_root(&root, &unsealed));
}

#[test]
fn a_record_whose_commitments_do_not_match_is_refused() {
    let (_, mut sealed, _) = init_shamir(3, 2).unwrap();
    let (_, other, _) = init_shamir(4, 2).unwrap();
    sealed.share_check = other.share_check;
    assert!(matches!(
        ShamirUnsealer::new(sealed),
        Err(CryptoError::Other(_))
    ));
}

#[test]
fn format_1_record_decodes_and_forged_shares_do_not_block_its_unseal() {
    let (root, sealed, shares) = init_shamir(5, 3).unwrap();
    let legacy = as_format_1(&sealed);
    assert!(!legacy.verifies_shares());
    let mut unsealer = ShamirUnsealer::new(legacy).unwrap();
    for share in [
        forged(1),
        forged(2),
        shares[0].clone(),
        forged(1),
        forged(3),
    ] {
        assert!(matches!(
            unsealer.add_share(&share).unwrap(),
            ShareOutcome::Unverified
        ));
    }
    assert!(matches!(
        unsealer.add_share(&shares[1]).unwrap(),
        ShareOutcome::Unverified
    ));
    assert!(matches!(
        unsealer.add_share(&forged(2)).unwrap(),
        ShareOutcome::Unverified
    ));
    assert_eq!(unsealer.progress(), (3, 3));
    let (unsealed, upgraded) = opened(unsealer.add_share(&shares[4]).unwrap());
    assert!(same_root(&root, &unsealed));

    // The upgraded record has commitments to all five shares, and is written as format 2.
    let upgraded = upgraded.expect("a format-1 record is upgraded");
    let json = serde_json::to_value(&upgraded).unwrap();
    assert_eq!(json["format"], 2);
    assert_eq!(
        json["share_check"]["commitments"].as_array().unwrap().len(),
        5
    );
    let stored: SealedRoot = serde_json::from_value(json).unwrap();
    let mut unsealer = ShamirUnsealer::new(stored).unwrap();
    assert!(unsealer.add_share(&forged(2)).is_err());
    assert_eq!(counted(unsealer.add_share(&shares[3]).unwrap()), (1, 3));
    assert_eq!(counted(unsealer.add_share(&shares[2]).unwrap()), (2, 3));
    let (again, upgraded) = opened(unsealer.add_share(&shares[1]).unwrap());
    assert!(same_root(&root, &again) && upgraded.is_none());
}

#[test]
fn format_1_candidates_are_bounded_and_a_real_share_can_be_offered_again() {
    let (root, sealed, shares) = init_shamir(3, 2).unwrap();
    let mut unsealer = ShamirUnsealer::new(as_format_1(&sealed)).unwrap();
    unsealer.add_share(&shares[0]).unwrap();
    for _ in 0..LEGACY_PER_INDEX {
        unsealer.add_share(&forged(1)).unwrap();
    }
    // The real share 1 was pushed out by the forgeries: share 2 alone finds no partner ...
    assert!(matches!(
        unsealer.add_share(&shares[1]).unwrap(),
        ShareOutcome::Unverified
    ));
    // ... until share 1 is offered again.
    let (unsealed, upgraded) = opened(unsealer.add_share(&shares[0]).unwrap());
    assert!(same_root(&root, &unsealed) && upgraded.is_some());
}

#[test]
fn format_1_shares_from_another_seal_never_unseal() {
    let (_, sealed, _) = init_shamir(3, 2).unwrap();
    let (_, _, foreign) = init_shamir(3, 2).unwrap();
    let mut unsealer = ShamirUnsealer::new(as_format_1(&sealed)).unwrap();
    for share in &foreign {
        assert!(matches!(
            unsealer.add_share(share).unwrap(),
            ShareOutcome::Unverified
        ));
    }
}

#[test]
fn unknown_record_formats_are_refused() {
    let (_, sealed, _) = init_shamir(3, 2).unwrap();
    let mut json = serde_json::to_value(&sealed).unwrap();
    json["format"] = 3.into();
    let err = serde_json::from_value::<SealedRoot>(json).unwrap_err();
    assert!(
        err.to_string().contains("unsupported seal record format"),
        "{err}"
    );
}

/// With many forgeries the search stops after a bounded number of tries and says why.
#[test]
fn format_1_search_is_bounded() {
    let (_, sealed, _) = init_shamir(10, 5).unwrap();
    let mut unsealer = ShamirUnsealer::new(as_format_1(&sealed)).unwrap();
    let offers = (1..=10).flat_map(|index| std::iter::repeat_n(index, LEGACY_PER_INDEX));
    for index in offers {
        match unsealer.add_share(&forged(index)) {
            Ok(ShareOutcome::Unverified) => {}
            Err(err) => {
                assert!(err.to_string().contains("too many"), "{err}");
                return;
            }
            Ok(other) => panic!("{other:?}"),
        }
    }
    panic!("the search was never cut short");
}

#[test]
fn commitments_need_the_shares_in_index_order() {
    let shares = shamir::split(&[7u8; 32], 3, 2);
    assert!(ShareCheck::new(&shares).is_ok());
    assert!(ShareCheck::new([&shares[1], &shares[0], &shares[2]]).is_err());
    assert!(ShareCheck::new(&shares[1..]).is_err());
}
