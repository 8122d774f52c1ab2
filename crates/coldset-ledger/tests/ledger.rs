//! Integration tests for coldset-ledger: published golden vectors, proof round
//! trips against a naive RFC 9162 reference, tampering, property tests and the
//! streaming verifier.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coldset_ledger::{
    consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, open_checkpoint, open_note, root_of,
    sign_checkpoint, sign_note, verify_consistency, verify_inclusion, verify_log, Checkpoint, CompactTree, Hash,
    LedgerError, LogVerifier, MemoryNodes, NoteError, ProofError, SignerKey, VerifierKey, VerifyError,
};
use proptest::prelude::*;

fn h(hex_str: &str) -> Hash {
    hex::decode(hex_str).unwrap().try_into().unwrap()
}

// ---------------------------------------------------------------------------
// Published certificate-transparency vectors.
//
// Source: the RFC 6962 reference tests of certificate-transparency (C++
// merkle_tree_test.cc), as carried by transparency-dev/merkle
// proof/verify_test.go: the 8 leaf inputs, the roots for sizes 1..=8, four
// inclusion paths and five consistency proofs. The published leaf indices are
// 1-based; they are 0-based below. Every value was also recomputed here with
// `root_of` and the reference PATH/SUBPROOF below, and with an independent
// Python script while writing these tests.
// ---------------------------------------------------------------------------

const CT_LEAVES: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

const CT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf index 0-based, tree size, path)
const CT_INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, proof)
const CT_CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (1, 1, &[]),
];

fn ct_leaf_hashes() -> Vec<Hash> {
    CT_LEAVES.iter().map(|x| leaf_hash(&hex::decode(x).unwrap())).collect()
}

fn ct_store() -> MemoryNodes {
    let mut s = MemoryNodes::new();
    for l in ct_leaf_hashes() {
        s.append(l);
    }
    s
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|x| h(x)).collect()
}

#[test]
fn ct_roots_for_sizes_1_to_8() {
    let leaves = ct_leaf_hashes();
    let mut tree = CompactTree::new();
    for (i, leaf) in leaves.iter().enumerate() {
        tree.append(*leaf);
        let want = h(CT_ROOTS[i]);
        assert_eq!(root_of(&leaves[..=i]), want, "root_of size {}", i + 1);
        assert_eq!(tree.root(), want, "CompactTree size {}", i + 1);
    }
    assert_eq!(hex::encode(empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

#[test]
fn ct_inclusion_paths() {
    let store = ct_store();
    let leaves = ct_leaf_hashes();
    for (index, size, path) in CT_INCLUSION {
        let want = hashes(path);
        let got = inclusion_proof(&store, index, size).unwrap();
        assert_eq!(got, want, "inclusion of {index} in {size}");
        let root = h(CT_ROOTS[size as usize - 1]);
        verify_inclusion(&leaves[index as usize], index, size, &want, &root).unwrap();
        assert_eq!(got, ref_path(index as usize, &leaves[..size as usize]));
    }
    // Size-1 tree: the empty path.
    verify_inclusion(&leaves[0], 0, 1, &[], &h(CT_ROOTS[0])).unwrap();
}

#[test]
fn ct_consistency_proofs() {
    let store = ct_store();
    let leaves = ct_leaf_hashes();
    for (old, new, proof) in CT_CONSISTENCY {
        let want = hashes(proof);
        let got = consistency_proof(&store, old, new).unwrap();
        assert_eq!(got, want, "consistency {old} -> {new}");
        let old_root = h(CT_ROOTS[old as usize - 1]);
        let new_root = h(CT_ROOTS[new as usize - 1]);
        verify_consistency(old, new, &old_root, &new_root, &want).unwrap();
        if old < new {
            assert_eq!(got, ref_subproof(old as usize, &leaves[..new as usize], true));
        }
    }
}

/// The corruptions transparency-dev/merkle applies to every known-good vector
/// (plus a few more); each must be rejected.
#[test]
fn ct_vectors_reject_corruptions() {
    let leaves = ct_leaf_hashes();
    let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    for (index, size, path) in CT_INCLUSION {
        let proof = hashes(path);
        let root = h(CT_ROOTS[size as usize - 1]);
        let leaf = leaves[index as usize];
        let bad_sizes =
            [(index.wrapping_sub(1), size), (index + 1, size), (index ^ 2, size), (index, size * 2), (index, size / 2)];
        for (i, s) in bad_sizes {
            assert!(verify_inclusion(&leaf, i, s, &proof, &root).is_err(), "{i}/{s}");
        }
        assert!(verify_inclusion(&leaf_hash(b"WrongLeaf"), index, size, &proof, &root).is_err());
        assert!(verify_inclusion(&leaf, index, size, &proof, &empty_root()).is_err());
        assert!(verify_inclusion(&leaf, index, size, &proof, &some).is_err());
        for extra in [[0u8; 32], root] {
            let mut p = proof.clone();
            p.push(extra);
            assert!(verify_inclusion(&leaf, index, size, &p, &root).is_err());
            let mut p = proof.clone();
            p.insert(0, extra);
            assert!(verify_inclusion(&leaf, index, size, &p, &root).is_err());
        }
    }
    for (old, new, path) in CT_CONSISTENCY {
        let proof = hashes(path);
        if proof.is_empty() {
            continue;
        }
        let r1 = h(CT_ROOTS[old as usize - 1]);
        let r2 = h(CT_ROOTS[new as usize - 1]);
        let probes: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
            (old - 1, new, r1, r2, proof.clone()),
            (old + 1, new, r1, r2, proof.clone()),
            (old ^ 2, new, r1, r2, proof.clone()),
            (old, new * 2, r1, r2, proof.clone()),
            (old, new / 2, r1, r2, proof.clone()),
            (old, new, leaf_hash(b"WrongRoot"), r2, proof.clone()),
            (old, new, r1, leaf_hash(b"WrongRoot"), proof.clone()),
            (old, new, r2, r1, proof.clone()),
            (old, new, r1, r2, vec![]),
            (old, new, r1, r2, [proof.clone(), vec![[0; 32]]].concat()),
            (old, new, r1, r2, [proof.clone(), vec![r1]].concat()),
            (old, new, r1, r2, [proof.clone(), vec![r2]].concat()),
            (old, new, r1, r2, [vec![[0; 32]], proof.clone()].concat()),
            (old, new, r1, r2, [vec![r1], proof.clone()].concat()),
            (old, new, r1, r2, [vec![r2], proof.clone()].concat()),
            (old, new, r1, r2, [vec![proof[0]], proof.clone()].concat()),
            (old, new, r1, r2, proof[..proof.len() - 1].to_vec()),
        ];
        for (o, n, a, b, p) in probes {
            assert!(
                verify_consistency(o, n, &a, &b, &p).is_err(),
                "corruption of {old}->{new} accepted: {o}->{n} len {}",
                p.len()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Naive RFC 9162 reference (section 2.1.3.1 PATH, 2.1.4.1 SUBPROOF) over the
// full leaf list.
// ---------------------------------------------------------------------------

fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn ref_path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return vec![];
    }
    let k = k_of(n);
    let (mut p, sibling) =
        if m < k { (ref_path(m, &d[..k]), root_of(&d[k..])) } else { (ref_path(m - k, &d[k..]), root_of(&d[..k])) };
    p.push(sibling);
    p
}

fn ref_subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![root_of(d)] };
    }
    let k = k_of(n);
    let (mut p, sibling) = if m <= k {
        (ref_subproof(m, &d[..k], b), root_of(&d[k..]))
    } else {
        (ref_subproof(m - k, &d[k..], false), root_of(&d[..k]))
    };
    p.push(sibling);
    p
}

fn test_leaves(n: usize) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(format!("event {i}").as_bytes())).collect()
}

fn store_of(leaves: &[Hash]) -> MemoryNodes {
    let mut s = MemoryNodes::new();
    for l in leaves {
        s.append(*l);
    }
    s
}

/// Roots of every prefix, computed incrementally (root_of per prefix would be
/// quadratic).
fn prefix_roots(leaves: &[Hash]) -> Vec<Hash> {
    let mut t = CompactTree::new();
    let mut roots = vec![t.root()];
    for l in leaves {
        t.push(*l);
        roots.push(t.root());
    }
    roots
}

// ---------------------------------------------------------------------------
// Round trips.
// ---------------------------------------------------------------------------

#[test]
fn proofs_equal_reference_for_all_pairs_up_to_130() {
    let leaves = test_leaves(130);
    let store = store_of(&leaves);
    let roots = prefix_roots(&leaves);
    for n in 1..=130usize {
        assert_eq!(roots[n], root_of(&leaves[..n]));
        for m in 0..n {
            let p = inclusion_proof(&store, m as u64, n as u64).unwrap();
            assert_eq!(p, ref_path(m, &leaves[..n]), "PATH({m}, D[{n}])");
        }
        for m in 1..=n {
            let p = consistency_proof(&store, m as u64, n as u64).unwrap();
            assert_eq!(p, ref_subproof(m, &leaves[..n], true), "PROOF({m}, D[{n}])");
            verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &p).unwrap();
        }
    }
}

#[test]
fn inclusion_proofs_verify_for_every_size_up_to_2048() {
    const N: usize = 2048;
    let leaves = test_leaves(N);
    let store = store_of(&leaves);
    let roots = prefix_roots(&leaves);
    assert_eq!(roots[N], root_of(&leaves));
    // Every leaf of every size would be 2.1 million proofs, too slow for a
    // debug build; every leaf up to 256 and around powers of two, and about
    // 64 spread-out leaves (always including the last) for every other size.
    let full = |n: usize| n <= 256 || [511, 512, 513, 1023, 1024, 1025, 2047, 2048].contains(&n);
    for (n, root) in roots.iter().enumerate().skip(1) {
        let step = if full(n) { 1 } else { n.div_ceil(64) };
        for m in (0..n).step_by(step).chain([n - 1]) {
            let p = inclusion_proof(&store, m as u64, n as u64).unwrap();
            verify_inclusion(&leaves[m], m as u64, n as u64, &p, root)
                .unwrap_or_else(|e| panic!("leaf {m} of {n}: {e}"));
        }
    }
    // Spot checks against the naive reference at larger sizes.
    for (m, n) in [(0, 2048), (2047, 2048), (1000, 2047), (1024, 1025), (777, 1500)] {
        let p = inclusion_proof(&store, m as u64, n as u64).unwrap();
        assert_eq!(p, ref_path(m, &leaves[..n]));
    }
}

#[test]
fn consistency_proofs_verify_up_to_2048() {
    const N: usize = 2048;
    let leaves = test_leaves(N);
    let store = store_of(&leaves);
    let roots = prefix_roots(&leaves);
    let olds = [
        1usize, 2, 3, 5, 7, 8, 9, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025,
        1500, 2047,
    ];
    for &m in &olds {
        for n in m..=N {
            let p = consistency_proof(&store, m as u64, n as u64).unwrap();
            verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &p)
                .unwrap_or_else(|e| panic!("{m} -> {n}: {e}"));
        }
    }
    for n in 1..=N {
        for m in [1, n / 2, n - 1, n].into_iter().filter(|&m| m >= 1) {
            let p = consistency_proof(&store, m as u64, n as u64).unwrap();
            verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &p).unwrap();
        }
    }
    for (m, n) in [(1000, 2048), (1023, 2047), (513, 1025), (1, 2048)] {
        let p = consistency_proof(&store, m as u64, n as u64).unwrap();
        assert_eq!(p, ref_subproof(m, &leaves[..n], true));
    }
}

// ---------------------------------------------------------------------------
// Tampering.
// ---------------------------------------------------------------------------

#[test]
fn inclusion_tampering_is_rejected() {
    let leaves = test_leaves(24);
    let store = store_of(&leaves);
    let roots = prefix_roots(&leaves);
    for n in 1..=24u64 {
        let root = roots[n as usize];
        for m in 0..n {
            let leaf = leaves[m as usize];
            let proof = inclusion_proof(&store, m, n).unwrap();
            for i in 0..proof.len() {
                for byte in 0..32 {
                    let mut bad = proof.clone();
                    bad[i][byte] ^= 0x01;
                    assert!(matches!(verify_inclusion(&leaf, m, n, &bad, &root), Err(ProofError::RootMismatch { .. })));
                }
            }
            let mut longer = proof.clone();
            longer.push(root);
            assert!(matches!(verify_inclusion(&leaf, m, n, &longer, &root), Err(ProofError::WrongProofLength { .. })));
            if !proof.is_empty() {
                assert!(matches!(
                    verify_inclusion(&leaf, m, n, &proof[1..], &root),
                    Err(ProofError::WrongProofLength { .. })
                ));
                assert!(matches!(
                    verify_inclusion(&leaf, m, n, &proof[..proof.len() - 1], &root),
                    Err(ProofError::WrongProofLength { .. })
                ));
            }
            assert!(matches!(
                verify_inclusion(&leaf, n, n, &proof, &root),
                Err(ProofError::LeafIndexOutOfRange { .. })
            ));
            assert!(matches!(
                verify_inclusion(&leaf, u64::MAX, n, &proof, &root),
                Err(ProofError::LeafIndexOutOfRange { .. })
            ));
            // The same proof presented for any other position or size, even
            // with that tree's real root, must fail.
            for n2 in 1..=24u64 {
                for m2 in 0..n2 {
                    if (m2, n2) == (m, n) {
                        continue;
                    }
                    assert!(
                        verify_inclusion(&leaf, m2, n2, &proof, &roots[n2 as usize]).is_err(),
                        "proof of {m}/{n} accepted as {m2}/{n2}"
                    );
                }
            }
            let other = leaf_hash(b"not the record");
            assert!(verify_inclusion(&other, m, n, &proof, &root).is_err());
        }
    }
    assert!(matches!(
        verify_inclusion(&leaves[0], 0, 0, &[], &empty_root()),
        Err(ProofError::LeafIndexOutOfRange { index: 0, size: 0 })
    ));
}

#[test]
fn consistency_tampering_is_rejected() {
    const N: u64 = 40;
    let leaves = test_leaves(N as usize);
    let store = store_of(&leaves);
    let roots = prefix_roots(&leaves);
    let mut proofs = Vec::new();
    for n in 2..=N {
        for m in 1..n {
            proofs.push((m, n, consistency_proof(&store, m, n).unwrap()));
        }
    }
    for (m, n, proof) in &proofs {
        let (m, n) = (*m, *n);
        let (r1, r2) = (roots[m as usize], roots[n as usize]);
        for i in 0..proof.len() {
            for byte in [0usize, 7, 31] {
                let mut bad = proof.clone();
                bad[i][byte] ^= 0x80;
                assert!(verify_consistency(m, n, &r1, &r2, &bad).is_err(), "{m}->{n} #{i}");
            }
        }
        let mut longer = proof.clone();
        longer.push(r2);
        assert!(matches!(verify_consistency(m, n, &r1, &r2, &longer), Err(ProofError::WrongProofLength { .. })));
        let mut prefixed = proof.clone();
        prefixed.insert(0, r1);
        assert!(verify_consistency(m, n, &r1, &r2, &prefixed).is_err());
        assert!(matches!(
            verify_consistency(m, n, &r1, &r2, &proof[..proof.len() - 1]),
            Err(ProofError::WrongProofLength { .. })
        ));
        assert!(verify_consistency(m, n, &r1, &r2, &proof[1..]).is_err());
        assert!(matches!(verify_consistency(n, m, &r2, &r1, proof), Err(ProofError::OldSizeLarger { .. })));
        assert!(verify_consistency(m, n, &r2, &r1, proof).is_err());
        assert!(verify_consistency(m, n, &r1, &leaf_hash(b"forged"), proof).is_err());
        assert!(verify_consistency(m, n, &leaf_hash(b"forged"), &r2, proof).is_err());
        assert!(matches!(
            verify_consistency(0, n, &r1, &r2, proof),
            Err(ProofError::WrongProofLength { expected: 0, .. })
        ));
        assert!(matches!(
            verify_consistency(n, n, &r2, &r2, proof),
            Err(ProofError::WrongProofLength { expected: 0, .. })
        ));
    }
    // GHSA-672p-m5jq-mrh8: a proof must not verify for any other pair of
    // sizes, even when given that pair's genuine roots.
    for (m, n, proof) in &proofs {
        for (m2, n2, _) in &proofs {
            if (m, n) == (m2, n2) {
                continue;
            }
            assert!(
                verify_consistency(*m2, *n2, &roots[*m2 as usize], &roots[*n2 as usize], proof).is_err(),
                "proof for {m}->{n} accepted for {m2}->{n2}"
            );
        }
    }
}

#[test]
fn a_forked_log_fails_consistency() {
    let leaves = test_leaves(20);
    let mut forked = leaves.clone();
    forked[3] = leaf_hash(b"rewritten history");
    let store = store_of(&forked);
    let old_root = root_of(&leaves[..10]);
    let p = consistency_proof(&store, 10, 20).unwrap();
    let err = verify_consistency(10, 20, &old_root, &root_of(&forked), &p).unwrap_err();
    assert!(matches!(err, ProofError::OldRootMismatch { .. }), "{err}");
    assert!(err.to_string().contains("earlier records were changed"));
}

// ---------------------------------------------------------------------------
// Property tests.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn compact_root_equals_reference(data in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..300)) {
        let leaves: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
        let mut tree = CompactTree::new();
        for l in &leaves {
            tree.append(*l);
        }
        prop_assert_eq!(tree.size(), leaves.len() as u64);
        prop_assert_eq!(tree.root(), root_of(&leaves));
    }

    #[test]
    fn restored_frontier_continues_identically(n1 in 0usize..200, n2 in 0usize..200, seed in any::<u64>()) {
        let leaves: Vec<Hash> = (0..n1 + n2)
            .map(|i| leaf_hash(&[seed.to_le_bytes(), (i as u64).to_le_bytes()].concat()))
            .collect();
        let mut a = CompactTree::new();
        for l in &leaves[..n1] {
            a.push(*l);
        }
        let saved_size = a.size();
        let saved: Vec<Hash> = a.frontier().to_vec();
        let mut b = CompactTree::from_frontier(saved_size, saved).unwrap();
        // A tree rebuilt from stored nodes continues identically too.
        let store = store_of(&leaves[..n1]);
        let mut c = CompactTree::from_reader(&store, n1 as u64).unwrap();
        for l in &leaves[n1..] {
            let na = a.append(*l);
            let nb = b.append(*l);
            let nc = c.append(*l);
            prop_assert_eq!(&na, &nb);
            prop_assert_eq!(&na, &nc);
        }
        prop_assert_eq!(a.root(), root_of(&leaves));
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
    }

    #[test]
    fn verifiers_never_panic_on_arbitrary_sizes(
        index in any::<u64>(), size in any::<u64>(), old in any::<u64>(), new in any::<u64>(),
        len in 0usize..70, small in any::<bool>(),
    ) {
        let (index, size, old, new) = if small {
            (index % 70, size % 70, old % 70, new % 70)
        } else {
            (index, size, old, new)
        };
        let proof = vec![[7u8; 32]; len];
        let x = leaf_hash(b"x");
        // Garbage never verifies; the only question is that nothing panics.
        prop_assert!(verify_inclusion(&x, index, size, &proof, &x).is_err() || (len == 0 && size == 1 && index == 0));
        let _ = verify_consistency(old, new, &x, &x, &proof);
    }

    #[test]
    fn note_parsers_never_panic(s in any::<String>()) {
        let key = golden_signer().verifier();
        let _ = open_note(&s, &key);
        let _ = open_checkpoint(&s, &key);
        let _ = Checkpoint::parse_body(&s);
        let _ = VerifierKey::parse(&s);
        let _ = SignerKey::parse_private(&s);
    }

    #[test]
    fn note_shaped_garbage_never_panics(
        origin in "[ -~\u{2014}\n]{0,20}", size in "[0-9+ -]{0,22}", root in "[A-Za-z0-9+/=]{0,50}",
        name in "[ -~\u{2014}]{0,12}", sig in "[A-Za-z0-9+/= ]{0,100}", blank in any::<bool>(),
    ) {
        let key = golden_signer().verifier();
        let note = format!(
            "{origin}\n{size}\n{root}\n{}\u{2014} {name} {sig}\n",
            if blank { "\n" } else { "" }
        );
        let _ = open_checkpoint(&note, &key);
        let _ = Checkpoint::parse_body(&format!("{origin}\n{size}\n{root}\n"));
        let _ = VerifierKey::parse(&format!("{name}+{size}+{root}"));
    }

    #[test]
    fn mutated_signed_notes_never_yield_another_checkpoint(pos in any::<prop::sample::Index>(), c in any::<char>(), op in 0u8..3) {
        let key = golden_signer();
        let cp = golden_checkpoint();
        let note = sign_checkpoint(&key, &cp);
        let mut chars: Vec<char> = note.chars().collect();
        let i = pos.index(chars.len());
        match op {
            0 => { chars.remove(i); }
            1 => chars.insert(i, c),
            _ => chars[i] = c,
        }
        let mutated: String = chars.into_iter().collect();
        if let Ok(opened) = open_checkpoint(&mutated, &key.verifier()) {
            // Only a change outside the signed text (or a no-op) may still open.
            prop_assert_eq!(opened, cp);
        }
    }
}

// ---------------------------------------------------------------------------
// Signed notes and checkpoints.
// ---------------------------------------------------------------------------

/// Golden key: seed bytes 0x01, 0x02, ..., 0x20.
fn golden_signer() -> SignerKey {
    let seed: [u8; 32] = core::array::from_fn(|i| i as u8 + 1);
    SignerKey::from_seed("coldset.example/ledger", seed).unwrap()
}

fn golden_checkpoint() -> Checkpoint {
    Checkpoint::new("coldset.example/production/demo", 8, h(CT_ROOTS[7])).unwrap()
}

// Derived by this project, not published: Ed25519 is deterministic, and these
// strings were produced independently with Python's `cryptography` package
// (key id, key encodings and signature) before being checked here.
const GOLDEN_PRIVATE: &str = "PRIVATE+KEY+coldset.example/ledger+dd621187+AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g";
const GOLDEN_VERIFIER: &str = "coldset.example/ledger+dd621187+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
const GOLDEN_NOTE: &str = "coldset.example/production/demo\n\
8\n\
XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\
\n\
\u{2014} coldset.example/ledger 3WIRh5P2JHxnB7VFdo1PoquaQLwDJ99HUWfspbdiV5e6xz1xovgnkkO+FTkBtjLxYEp/+QKk3aA7Am0OjEIkFyiL9g4=\n";

#[test]
fn golden_fixed_seed_note() {
    let key = golden_signer();
    assert_eq!(key.key_id(), 0xdd62_1187);
    assert_eq!(key.to_private_string(), GOLDEN_PRIVATE);
    assert_eq!(key.verifier().to_string(), GOLDEN_VERIFIER);
    let cp = golden_checkpoint();
    assert_eq!(cp.body(), "coldset.example/production/demo\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
    assert_eq!(sign_checkpoint(&key, &cp), GOLDEN_NOTE);

    let verifier = VerifierKey::parse(GOLDEN_VERIFIER).unwrap();
    assert_eq!(verifier, key.verifier());
    assert_eq!(open_checkpoint(GOLDEN_NOTE, &verifier).unwrap(), cp);
    let reparsed = SignerKey::parse_private(GOLDEN_PRIVATE).unwrap();
    assert_eq!(sign_checkpoint(&reparsed, &cp), GOLDEN_NOTE);
}

// Published vectors from golang.org/x/mod/sumdb/note (package documentation
// and note_test.go): the PeterNeumann key pair and signature, and the
// EnochRoot verifier key and signature over the same text. Go derives the
// EnochRoot key in its example from an all-zero seed.
const PETER_PRIVATE: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VERIFIER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_VERIFIER: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const ENOCH_SIG: &str =
    "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
then you don't know what your problem is.\n";

#[test]
fn go_sumdb_note_peter_neumann_vector() {
    let signer = SignerKey::parse_private(PETER_PRIVATE).unwrap();
    assert_eq!(signer.name(), "PeterNeumann");
    assert_eq!(signer.key_id(), 0xc74f_20a3);
    assert_eq!(signer.to_private_string(), PETER_PRIVATE);
    assert_eq!(signer.verifier().to_string(), PETER_VERIFIER);
    let note = sign_note(&signer, GO_TEXT).unwrap();
    assert_eq!(note, format!("{GO_TEXT}\n{PETER_SIG}"));

    let verifier = VerifierKey::parse(PETER_VERIFIER).unwrap();
    assert_eq!(open_note(&note, &verifier).unwrap(), GO_TEXT);
}

#[test]
fn go_sumdb_note_enoch_root_vector_and_cosignatures() {
    let enoch = SignerKey::from_seed("EnochRoot", [0; 32]).unwrap();
    assert_eq!(enoch.verifier().to_string(), ENOCH_VERIFIER);
    assert_eq!(sign_note(&enoch, GO_TEXT).unwrap(), format!("{GO_TEXT}\n{ENOCH_SIG}"));

    let both = format!("{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let peter = VerifierKey::parse(PETER_VERIFIER).unwrap();
    let enoch_v = VerifierKey::parse(ENOCH_VERIFIER).unwrap();
    // Each key finds its own line and ignores the other one.
    assert_eq!(open_note(&both, &peter).unwrap(), GO_TEXT);
    assert_eq!(open_note(&both, &enoch_v).unwrap(), GO_TEXT);
    let only_enoch = format!("{GO_TEXT}\n{ENOCH_SIG}");
    assert_eq!(
        open_note(&only_enoch, &peter).unwrap_err(),
        NoteError::NoSignatureByKey { name: "PeterNeumann".into(), key_id: 0xc74f_20a3 }
    );
}

#[test]
fn cosigned_checkpoint_opens_with_either_key() {
    let log_key = golden_signer();
    let witness = SignerKey::from_seed("witness.example", [9; 32]).unwrap();
    let cp = golden_checkpoint();
    let note = sign_checkpoint(&log_key, &cp);
    let witness_line = sign_note(&witness, &cp.body()).unwrap().split_off(cp.body().len() + 1);
    let cosigned = format!("{note}{witness_line}");
    let witness_first = format!("{}\n{witness_line}{}", cp.body(), &note[cp.body().len() + 1..]);
    for n in [&cosigned, &witness_first] {
        assert_eq!(open_checkpoint(n, &log_key.verifier()).unwrap(), cp);
        assert_eq!(open_checkpoint(n, &witness.verifier()).unwrap(), cp);
    }
}

#[test]
fn tampered_notes_are_rejected() {
    let key = golden_signer();
    let v = key.verifier();
    let note = GOLDEN_NOTE;

    // The body changed after signing.
    let bigger = note.replacen("\n8\n", "\n9\n", 1);
    assert!(matches!(open_checkpoint(&bigger, &v), Err(NoteError::InvalidSignature { .. })));
    // A different key with the same name has another key id: no signature.
    let impostor = SignerKey::from_seed("coldset.example/ledger", [42; 32]).unwrap();
    assert!(matches!(open_checkpoint(note, &impostor.verifier()), Err(NoteError::NoSignatureByKey { .. })));
    // A forged line under the right name and key id does not verify, even
    // next to a valid one.
    let forged_line =
        sign_note(&impostor, &golden_checkpoint().body()).unwrap().split_off(golden_checkpoint().body().len() + 1);
    let forged_sig = forged_line.rsplit(' ').next().unwrap().trim_end();
    let mut raw = base64_decode(forged_sig);
    raw[..4].copy_from_slice(&key.key_id().to_be_bytes());
    let relabelled = format!("\u{2014} coldset.example/ledger {}\n", base64_encode(&raw));
    assert!(matches!(open_checkpoint(&format!("{note}{relabelled}"), &v), Err(NoteError::InvalidSignature { .. })));
    // A line for this key whose signature is cut short.
    let short = format!(
        "{}\n\u{2014} coldset.example/ledger {}\n",
        golden_checkpoint().body(),
        base64_encode(&[&key.key_id().to_be_bytes()[..], &[0u8; 10]].concat())
    );
    assert!(matches!(open_checkpoint(&short, &v), Err(NoteError::InvalidSignature { .. })));

    let malformed: Vec<(String, &str)> = vec![
        (note.replace("\n\n", "\n"), "no blank line"),
        (note.trim_end_matches('\n').to_owned(), "no final newline"),
        (note.replace('\u{2014}', "-"), "hyphen instead of em dash"),
        (note.replace("\u{2014} ", "\u{2014}"), "no space after dash"),
        (note.replace("ledger 3WIR", "ledger  3WIR"), "double space"),
        (note.replace("ledger 3WIR", "ledger3WIR"), "no space"),
        (note.replace("=\n", "\n").replacen("Qyg\n", "Qyg=\n", 1), "sig without padding"),
        (format!("{note}\n"), "trailing blank line"),
        (note.replace('\n', "\r\n"), "CRLF"),
        (format!("{note}junk\n"), "junk line"),
        (String::new(), "empty"),
        ("\n\n".to_owned(), "only a blank line"),
        (note.replace("coldset.example/ledger 3", "a+b 3"), "bad key name"),
        (format!("{}\n\u{2014} coldset.example/ledger AAAA\n", golden_checkpoint().body()), "too-short signature"),
    ];
    for (bad, what) in malformed {
        assert!(open_checkpoint(&bad, &v).is_err(), "{what} accepted");
    }

    let many = format!("{note}{}", PETER_SIG.repeat(100));
    assert_eq!(open_checkpoint(&many, &v).unwrap_err(), NoteError::TooManySignatures { max: 100 });
    let mut with_nul = note.to_owned();
    with_nul.insert(3, '\u{0}');
    assert_eq!(open_checkpoint(&with_nul, &v).unwrap_err(), NoteError::ControlCharacter { offset: 3 });
}

#[test]
fn signed_text_with_blank_lines_is_split_at_the_last_one() {
    let key = golden_signer();
    let text = "first\n\nsecond\n";
    let note = sign_note(&key, text).unwrap();
    assert_eq!(open_note(&note, &key.verifier()).unwrap(), text);
    assert_eq!(sign_note(&key, "no newline").unwrap_err(), NoteError::TextNotTerminated);
    assert_eq!(sign_note(&key, "").unwrap_err(), NoteError::TextNotTerminated);
    assert!(matches!(sign_note(&key, "tab\there\n"), Err(NoteError::ControlCharacter { offset: 3 })));
}

#[test]
fn checkpoint_body_parsing_is_strict() {
    let root = XCNA;
    let ok = |b: &str| Checkpoint::parse_body(b);
    assert_eq!(ok(&format!("o\n0\n{root}\n")).unwrap().size, 0);
    assert_eq!(ok(&format!("o\n18446744073709551615\n{root}\n")).unwrap().size, u64::MAX);
    let cases: Vec<(String, NoteError)> = vec![
        (format!("\n8\n{root}\n"), NoteError::EmptyOrigin),
        (format!("o\n08\n{root}\n"), invalid_size("08")),
        (format!("o\n00\n{root}\n"), invalid_size("00")),
        (format!("o\n+8\n{root}\n"), invalid_size("+8")),
        (format!("o\n-1\n{root}\n"), invalid_size("-1")),
        (format!("o\n 8\n{root}\n"), invalid_size(" 8")),
        (format!("o\n8 \n{root}\n"), invalid_size("8 ")),
        (format!("o\n\n{root}\n"), invalid_size("")),
        (format!("o\n0x8\n{root}\n"), invalid_size("0x8")),
        (format!("o\n\u{0663}\n{root}\n"), invalid_size("\u{0663}")),
        (format!("o\n18446744073709551616\n{root}\n"), invalid_size("18446744073709551616")),
        (format!("o\n8\n{root}"), NoteError::BodyNotTerminated),
        ("o\n8\n".to_owned(), NoteError::MissingBodyLine { missing: "root hash" }),
        ("o\n".to_owned(), NoteError::MissingBodyLine { missing: "tree size" }),
        (format!("o\n8\n{root}\next\n"), NoteError::ExtraBodyLines),
        (format!("o\n8\n{root}\n\n"), NoteError::ExtraBodyLines),
        (format!("o\r\n8\n{root}\n"), NoteError::InvalidOrigin { origin: "o\r".into() }),
        ("o\n8\nAAAA\n".to_owned(), NoteError::InvalidRoot { text: "AAAA".into() }),
        (
            // Same 32 bytes with non-zero padding bits: not canonical base64.
            "o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n".to_owned(),
            NoteError::InvalidRoot { text: "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=".into() },
        ),
        (
            "o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n".to_owned(),
            NoteError::InvalidRoot { text: "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg".into() },
        ),
        (
            "o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=\n".to_owned(),
            NoteError::InvalidRoot { text: "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=".into() },
        ),
    ];
    for (body, want) in cases {
        assert_eq!(ok(&body).unwrap_err(), want, "{body:?}");
    }
    assert_eq!(Checkpoint::new("", 1, [0; 32]).unwrap_err(), NoteError::EmptyOrigin);
    assert!(matches!(Checkpoint::new("a\nb", 1, [0; 32]), Err(NoteError::InvalidOrigin { .. })));
    let cp = Checkpoint { origin: "x".into(), size: 3, root: leaf_hash(b"r") };
    assert_eq!(Checkpoint::parse_body(&cp.body()).unwrap(), cp);
}

const XCNA: &str = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";

fn invalid_size(text: &str) -> NoteError {
    NoteError::InvalidSize { text: text.into() }
}

#[test]
fn key_parsing_is_strict() {
    for name in ["", "a+b", "a b", "tab\tname", "new\nline", "nbsp\u{a0}x"] {
        assert!(matches!(SignerKey::from_seed(name, [1; 32]), Err(LedgerError::InvalidKeyName { .. })));
        assert!(matches!(SignerKey::generate(name), Err(LedgerError::InvalidKeyName { .. })));
    }
    // Wrong key id for the key.
    let wrong_id = PETER_VERIFIER.replace("c74f20a3", "c74f20a4");
    assert!(matches!(
        VerifierKey::parse(&wrong_id),
        Err(LedgerError::KeyIdMismatch { stated: 0xc74f_20a4, computed: 0xc74f_20a3, .. })
    ));
    // Renaming a key changes its id.
    let renamed = PETER_VERIFIER.replace("PeterNeumann", "PeterNeuman");
    assert!(matches!(VerifierKey::parse(&renamed), Err(LedgerError::KeyIdMismatch { .. })));
    let wrong_private = PETER_PRIVATE.replace("c74f20a3", "00000000");
    assert!(matches!(SignerKey::parse_private(&wrong_private), Err(LedgerError::KeyIdMismatch { .. })));
    // Upper-case hex ids are accepted, as by Go's strconv.ParseUint.
    assert!(VerifierKey::parse(&PETER_VERIFIER.replace("c74f20a3", "C74F20A3")).is_ok());
    let bad = [
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3x+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "PeterNeumann+c74f20a3+",
        "PeterNeumann+-74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ];
    for b in bad {
        assert!(VerifierKey::parse(b).is_err(), "{b}");
    }
    // Algorithm byte other than Ed25519 (0x02 || seed).
    assert!(matches!(
        SignerKey::parse_private("PRIVATE+KEY+n+00000000+AgECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"),
        Err(LedgerError::UnsupportedAlgorithm { algorithm: 2 })
    ));
    assert!(matches!(
        SignerKey::parse_private(&GOLDEN_PRIVATE.replace("PRIVATE+KEY", "PRIVATE+KEYS")),
        Err(LedgerError::MalformedPrivateKey { .. }) | Err(LedgerError::InvalidKeyName { .. })
    ));
    assert!(SignerKey::parse_private(GOLDEN_VERIFIER).is_err());
    assert!(VerifierKey::parse(GOLDEN_PRIVATE).is_err());
}

#[test]
fn generated_keys_work_and_debug_hides_the_seed() {
    let key = SignerKey::generate("coldset.example/test").unwrap();
    let other = SignerKey::generate("coldset.example/test").unwrap();
    assert_ne!(key.to_private_string(), other.to_private_string());
    let cp = Checkpoint::new("coldset.example/p/1", 0, empty_root()).unwrap();
    let note = sign_checkpoint(&key, &cp);
    let v: VerifierKey = key.verifier().to_string().parse().unwrap();
    assert_eq!(open_checkpoint(&note, &v).unwrap(), cp);
    assert!(open_checkpoint(&note, &other.verifier()).is_err());

    let dbg = format!("{:?}", golden_signer());
    assert!(dbg.contains("coldset.example/ledger"));
    assert!(dbg.contains("dd621187"));
    assert!(!dbg.contains("AQECAwQF"), "{dbg}");
    assert!(!dbg.contains("[1, 2, 3"), "{dbg}");
    assert!(!dbg.to_lowercase().contains("0102030405"), "{dbg}");
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64_lite::decode;
    decode(s)
}

fn base64_encode(b: &[u8]) -> String {
    base64_lite::encode(b)
}

/// Tiny standard-alphabet base64, so the tests do not depend on the crate's
/// own choice of base64 library.
mod base64_lite {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(data: &[u8]) -> String {
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub fn decode(s: &str) -> Vec<u8> {
        let mut bits = 0u32;
        let mut nbits = 0;
        let mut out = Vec::new();
        for c in s.bytes().filter(|&c| c != b'=') {
            let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
            bits = (bits << 6) | v;
            nbits += 6;
            if nbits >= 8 {
                nbits -= 8;
                out.push((bits >> nbits) as u8);
                bits &= (1 << nbits) - 1;
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Streaming verifier.
// ---------------------------------------------------------------------------

fn records(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("{{\"seq\":{i},\"event\":\"transfer\"}}").into_bytes()).collect()
}

fn checkpoints_for(data: &[Vec<u8>], sizes: &[usize]) -> Vec<Checkpoint> {
    let leaves: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
    sizes.iter().map(|&s| Checkpoint::new("coldset.example/p/7", s as u64, root_of(&leaves[..s])).unwrap()).collect()
}

fn ok_iter(data: &[Vec<u8>]) -> impl Iterator<Item = Result<&[u8], std::io::Error>> {
    data.iter().map(|d| Ok(d.as_slice()))
}

#[test]
fn streaming_verifier_accepts_an_intact_log() {
    let data = records(100);
    // Unsorted, with a duplicate and an empty-log checkpoint.
    let cps = checkpoints_for(&data, &[100, 10, 0, 64, 10, 99]);
    let summary = verify_log(ok_iter(&data), &cps).unwrap();
    assert_eq!(summary.records, 100);
    assert_eq!(summary.checkpoints_checked, 6);
    assert_eq!(summary.root, cps[0].root);
    // Records past the last checkpoint are fine (not yet checkpointed).
    let summary = verify_log(ok_iter(&data), &cps[1..2]).unwrap();
    assert_eq!(summary.records, 100);
    // Owned buffers work too.
    let owned = data.iter().cloned().map(Ok::<_, String>);
    assert!(verify_log(owned, &cps).is_ok());
    // No records, no checkpoints.
    let none: Vec<Vec<u8>> = Vec::new();
    let summary = verify_log(ok_iter(&none), &[]).unwrap();
    assert_eq!(summary.root, empty_root());
}

fn expect_mismatch(result: Result<coldset_ledger::VerifySummary, VerifyError>, at: u64) {
    match result {
        Err(VerifyError::RootMismatch { size, expected, computed }) => {
            assert_eq!(size, at);
            assert_ne!(expected, computed);
            let msg = VerifyError::RootMismatch { size, expected, computed }.to_string();
            assert!(msg.contains(&format!("checkpoint for size {at}")), "{msg}");
            assert!(msg.contains(&hex::encode(expected)), "{msg}");
            assert!(msg.contains(&hex::encode(computed)), "{msg}");
        }
        other => panic!("expected a root mismatch at {at}, got {other:?}"),
    }
}

#[test]
fn streaming_verifier_detects_a_changed_byte() {
    let data = records(50);
    let cps = checkpoints_for(&data, &[10, 20, 50]);
    let mut bad = data.clone();
    bad[15][3] ^= 0x01;
    expect_mismatch(verify_log(ok_iter(&bad), &cps), 20);
}

#[test]
fn streaming_verifier_detects_a_removed_record() {
    let data = records(50);
    let cps = checkpoints_for(&data, &[10, 20, 49]);
    let mut bad = data.clone();
    bad.remove(12);
    expect_mismatch(verify_log(ok_iter(&bad), &cps), 20);
}

#[test]
fn streaming_verifier_detects_swapped_records() {
    let data = records(50);
    let cps = checkpoints_for(&data, &[10, 20, 50]);
    let mut bad = data.clone();
    bad.swap(3, 4);
    expect_mismatch(verify_log(ok_iter(&bad), &cps), 10);
}

#[test]
fn streaming_verifier_detects_an_inserted_record() {
    let data = records(50);
    let cps = checkpoints_for(&data, &[30]);
    let mut bad = data.clone();
    bad.insert(29, b"smuggled".to_vec());
    expect_mismatch(verify_log(ok_iter(&bad), &cps), 30);
}

#[test]
fn streaming_verifier_detects_tail_truncation() {
    let data = records(50);
    let cps = checkpoints_for(&data, &[10, 50]);
    let err = verify_log(ok_iter(&data[..45]), &cps).unwrap_err();
    assert!(matches!(err, VerifyError::Truncated { checkpoint_size: 50, log_size: 45 }));
    assert_eq!(
        err.to_string(),
        "checkpoint for size 50 but the log has only 45 records: records were removed (tail truncation)"
    );
}

#[test]
fn streaming_verifier_reports_source_errors() {
    let data = records(5);
    let source =
        data.iter().enumerate().map(
            |(i, d)| {
                if i == 3 {
                    Err(std::io::Error::other("disk on fire"))
                } else {
                    Ok(d.as_slice())
                }
            },
        );
    let err = verify_log(source, &[]).unwrap_err();
    assert!(matches!(err, VerifyError::Read { index: 3, .. }));
    assert!(err.to_string().contains("disk on fire"));
}

#[test]
fn log_verifier_checks_at_the_right_moment() {
    let data = records(8);
    let cps = checkpoints_for(&data, &[4, 8]);
    let mut v = LogVerifier::new();
    assert!(matches!(
        v.check_checkpoint(&cps[0]),
        Err(VerifyError::NotAtCheckpointSize { checkpoint_size: 4, records_read: 0 })
    ));
    for d in &data[..4] {
        v.push_leaf(d);
    }
    v.check_checkpoint(&cps[0]).unwrap();
    for d in &data[4..] {
        v.push_leaf_hash(leaf_hash(d));
    }
    v.check_checkpoint(&cps[1]).unwrap();
    assert_eq!(v.size(), 8);
    assert_eq!(v.root(), cps[1].root);
}

#[test]
fn end_to_end_signed_checkpoints_and_audit() {
    // A log appends records, stores nodes, signs checkpoints; an auditor
    // opens the notes with the public key and replays the export.
    let key = golden_signer();
    let data = records(300);
    let mut store = MemoryNodes::new();
    let mut notes = Vec::new();
    for (i, d) in data.iter().enumerate() {
        store.append(leaf_hash(d));
        if (i + 1) % 100 == 0 {
            let cp = Checkpoint::new("coldset.example/p/1", store.size(), store.root()).unwrap();
            notes.push(sign_checkpoint(&key, &cp));
        }
    }
    let verifier = VerifierKey::parse(&key.verifier().to_string()).unwrap();
    let cps: Vec<Checkpoint> = notes.iter().map(|n| open_checkpoint(n, &verifier).unwrap()).collect();
    let summary = verify_log(ok_iter(&data), &cps).unwrap();
    assert_eq!(summary.checkpoints_checked, 3);
    // Consistency between consecutive published heads, and inclusion of a
    // record in the latest head, from stored nodes only.
    for pair in cps.windows(2) {
        let p = consistency_proof(&store, pair[0].size, pair[1].size).unwrap();
        verify_consistency(pair[0].size, pair[1].size, &pair[0].root, &pair[1].root, &p).unwrap();
    }
    let p = inclusion_proof(&store, 123, 300).unwrap();
    verify_inclusion(&leaf_hash(&data[123]), 123, 300, &p, &cps[2].root).unwrap();
    // Sanity: the hashing primitives compose as documented.
    assert_eq!(
        root_of(&[leaf_hash(&data[0]), leaf_hash(&data[1])]),
        node_hash(&leaf_hash(&data[0]), &leaf_hash(&data[1]))
    );
}

// ---------------------------------------------------------------------------
// Key rotation: a statement signed by the old key and the new one hands the log
// over; the chain then accepts each key only for the sizes it was in force.
// ---------------------------------------------------------------------------

mod rotation {
    use coldset_ledger::{sign_checkpoint, Checkpoint, KeyChain, KeyRotation, RotationError, SignerKey, VerifierKey};
    use std::collections::BTreeMap;

    const ORIGIN: &str = "set.example/dead-river";

    fn key(seed: u8) -> SignerKey {
        SignerKey::from_seed("set.example", [seed; 32]).unwrap()
    }

    fn cp(key: &SignerKey, size: u64) -> String {
        sign_checkpoint(key, &Checkpoint::new(ORIGIN, size, [size as u8; 32]).unwrap())
    }

    /// The log `ORIGIN` was at 10 events when `old` handed it to `new`; `later` was made
    /// after the rotation.
    fn rotation(old: &SignerKey, new: &SignerKey) -> KeyRotation {
        let mut heads = BTreeMap::new();
        heads.insert(ORIGIN.to_owned(), (10, [10u8; 32]));
        heads.insert("set.example/a-earlier".to_owned(), (3, [3u8; 32]));
        KeyRotation { old: old.verifier(), new: new.verifier(), heads }
    }

    #[test]
    fn a_rotation_signed_by_both_keys_hands_the_log_over_at_its_size() {
        let (old, new) = (key(1), key(2));
        let statement = rotation(&old, &new).sign(&old, &new).unwrap();
        assert_eq!(KeyRotation::open(&statement).unwrap(), rotation(&old, &new));
        // Trusted from either end: the first key an auditor was given, or the new one.
        for trusted in [old.verifier(), new.verifier()] {
            let chain = KeyChain::from_statements(&trusted, std::slice::from_ref(&statement)).unwrap();
            assert_eq!(chain.current(), &new.verifier());
            assert_eq!(chain.heads(ORIGIN), vec![(10, [10u8; 32])]);
            // The old key up to the rotation, the new one from it on.
            assert_eq!(chain.open_checkpoint(&cp(&old, 4)).unwrap().size, 4);
            assert_eq!(chain.open_checkpoint(&cp(&old, 10)).unwrap().size, 10);
            assert_eq!(chain.open_checkpoint(&cp(&new, 11)).unwrap().size, 11);
            // The old key beyond the rotation: refused, it is retired.
            assert!(matches!(chain.open_checkpoint(&cp(&old, 11)), Err(RotationError::OutsidePeriod { .. })));
            // The new key below it: it did not sign that history.
            assert!(matches!(chain.open_checkpoint(&cp(&new, 9)), Err(RotationError::OutsidePeriod { .. })));
            // A third key, with the same name: refused at any size.
            for size in [4, 10, 11] {
                assert!(
                    matches!(chain.open_checkpoint(&cp(&key(3), size)), Err(RotationError::UnknownKey { .. })),
                    "{size}"
                );
            }
        }
        // A log made after the rotation is the new key's alone.
        let later = |k: &SignerKey| sign_checkpoint(k, &Checkpoint::new("set.example/later", 2, [2; 32]).unwrap());
        let chain = KeyChain::from_statements(&old.verifier(), &[statement]).unwrap();
        assert!(chain.open_checkpoint(&later(&new)).is_ok());
        assert!(matches!(chain.open_checkpoint(&later(&old)), Err(RotationError::OutsidePeriod { .. })));
    }

    #[test]
    fn a_rotation_not_signed_by_the_old_key_is_refused() {
        let (old, new, thief) = (key(1), key(2), key(3));
        // Someone holding only a key of their own announces it as the successor.
        let forged = KeyRotation { old: old.verifier(), new: thief.verifier(), heads: rotation(&old, &new).heads };
        assert!(forged.sign(&thief, &thief).is_err(), "the signers must be the keys named");
        let text = forged.text();
        let statement = coldset_ledger::sign_note(&thief, &text).unwrap();
        assert!(matches!(KeyRotation::open(&statement), Err(RotationError::NotSigned { which: "old", .. })));
        // Signed by the old key only: the new key never vouched for the history.
        let only_old = coldset_ledger::sign_note(&old, &rotation(&old, &new).text()).unwrap();
        assert!(matches!(KeyRotation::open(&only_old), Err(RotationError::NotSigned { which: "new", .. })));
        // A changed head after signing breaks both signatures.
        let good = rotation(&old, &new).sign(&old, &new).unwrap();
        let changed = good.replacen("head 10 ", "head 12 ", 1);
        assert!(matches!(KeyRotation::open(&changed), Err(RotationError::NotSigned { .. })));
        // A chain anchored at a key none of the statements name is refused.
        assert!(matches!(
            KeyChain::from_statements(&thief.verifier(), std::slice::from_ref(&good)),
            Err(RotationError::BrokenChain { .. })
        ));
        // Statements out of order (the second does not start from the first's new key).
        let next = key(4);
        let second = KeyRotation { old: new.verifier(), new: next.verifier(), heads: BTreeMap::new() }
            .sign(&new, &next)
            .unwrap();
        assert!(KeyChain::from_statements(&old.verifier(), &[good.clone(), second.clone()]).is_ok());
        assert!(matches!(
            KeyChain::from_statements(&old.verifier(), &[second, good]),
            Err(RotationError::BrokenChain { .. })
        ));
    }

    #[test]
    fn a_rotation_keeps_the_key_name_so_origins_stay() {
        let old = key(1);
        let renamed = SignerKey::from_seed("other.example", [2; 32]).unwrap();
        let r = KeyRotation { old: old.verifier(), new: renamed.verifier(), heads: BTreeMap::new() };
        assert!(matches!(r.sign(&old, &renamed), Err(RotationError::Malformed { .. })));
        let same = KeyRotation { old: old.verifier(), new: old.verifier(), heads: BTreeMap::new() };
        assert!(same.sign(&old, &old).is_err());
        let v: VerifierKey = old.verifier();
        assert!(KeyChain::single(v.clone()).open_checkpoint(&cp(&old, 99)).is_ok());
    }
}
