//! RFC 9162 inclusion and consistency proofs: generation from stored nodes and
//! verification.

use crate::error::{ProofError, ProofGenError};
use crate::hash::{empty_root, node_hash, split_point, Hash};
use crate::tree::{read_node, NodeReader};

/// Merkle tree hash of leaves `[start, end)` (`start < end`) from stored
/// perfect subtrees.
///
/// The ranges RFC 9162's recursion visits start at a multiple of a power of two
/// at least as large as themselves, so each decomposes into at most one
/// perfect subtree per bit of its length: O(log n) reads.
fn range_hash<R: NodeReader + ?Sized>(r: &R, start: u64, end: u64) -> Result<Hash, ProofGenError<R::Error>> {
    let len = end - start;
    if len.is_power_of_two() && start.is_multiple_of(len) {
        return read_node(r, len.trailing_zeros() as u8, start / len);
    }
    if len < 2 {
        // Only len == 0 gets here, which callers never ask for.
        return Ok(empty_root());
    }
    let k = split_point(len);
    let left = range_hash(r, start, start + k)?;
    let right = range_hash(r, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The audit path `PATH(leaf_index, D[0:tree_size])` of RFC 9162 section
/// 2.1.3.1, nearest sibling first.
///
/// Needs O(log² n) node reads at most: each path entry is one subtree, and a
/// non-perfect one is assembled from its perfect pieces.
pub fn inclusion_proof<R: NodeReader + ?Sized>(
    r: &R,
    leaf_index: u64,
    tree_size: u64,
) -> Result<Vec<Hash>, ProofGenError<R::Error>> {
    if leaf_index >= tree_size {
        return Err(ProofGenError::LeafIndexOutOfRange { index: leaf_index, size: tree_size });
    }
    let mut path = Vec::with_capacity(inclusion_proof_len(leaf_index, tree_size));
    // Walk the recursion top-down over the window [start, end); the RFC lists
    // the path bottom-up, hence the final reverse.
    let (mut m, mut start, mut end) = (leaf_index, 0u64, tree_size);
    while end - start > 1 {
        let k = split_point(end - start);
        if m < k {
            path.push(range_hash(r, start + k, end)?);
            end = start + k;
        } else {
            path.push(range_hash(r, start, start + k)?);
            start += k;
            m -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The consistency proof `PROOF(old_size, D[0:new_size])` of RFC 9162
/// section 2.1.4.1.
///
/// Empty when `old_size` is 0 or equals `new_size`, matching what
/// [`verify_consistency`] expects for those cases.
pub fn consistency_proof<R: NodeReader + ?Sized>(
    r: &R,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, ProofGenError<R::Error>> {
    if old_size > new_size {
        return Err(ProofGenError::OldSizeLarger { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    let mut path = Vec::with_capacity(consistency_proof_len(old_size, new_size));
    // `whole` is SUBPROOF's boolean b: true while the old tree is still a
    // left-aligned prefix of the window, in which case the verifier knows its
    // hash already and it is left out.
    let (mut m, mut start, mut end, mut whole) = (old_size, 0u64, new_size, true);
    loop {
        let n = end - start;
        if m == n {
            if !whole {
                path.push(range_hash(r, start, end)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            path.push(range_hash(r, start + k, end)?);
            end = start + k;
        } else {
            path.push(range_hash(r, start, start + k)?);
            start += k;
            m -= k;
            whole = false;
        }
    }
    path.reverse();
    Ok(path)
}

/// Number of hashes in a correct inclusion proof (`leaf_index < tree_size`).
pub fn inclusion_proof_len(leaf_index: u64, tree_size: u64) -> usize {
    let (mut m, mut n, mut len) = (leaf_index, tree_size, 0usize);
    while n > 1 {
        let k = split_point(n);
        if m < k {
            n = k;
        } else {
            m -= k;
            n -= k;
        }
        len += 1;
    }
    len
}

/// Number of hashes in a correct consistency proof (0 when `old_size` is 0 or
/// not smaller than `new_size`).
pub fn consistency_proof_len(old_size: u64, new_size: u64) -> usize {
    if old_size == 0 || old_size >= new_size {
        return 0;
    }
    let (mut m, mut n, mut whole, mut len) = (old_size, new_size, true, 0usize);
    while m != n {
        let k = split_point(n);
        if m <= k {
            n = k;
        } else {
            m -= k;
            n -= k;
            whole = false;
        }
        len += 1;
    }
    if !whole {
        len += 1;
    }
    len
}

/// Checks that `leaf` is at `leaf_index` in the tree of `tree_size` leaves
/// with root `root` (RFC 9162 section 2.1.3.2).
///
/// The proof length is checked against the sizes before any hashing, so added,
/// removed or misplaced hashes are reported as such.
pub fn verify_inclusion(
    leaf: &Hash,
    leaf_index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if leaf_index >= tree_size {
        return Err(ProofError::LeafIndexOutOfRange { index: leaf_index, size: tree_size });
    }
    let expected = inclusion_proof_len(leaf_index, tree_size);
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength { expected, got: proof.len() });
    }
    let mut fnode = leaf_index;
    let mut snode = tree_size - 1;
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::MalformedPath);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            // A right-edge node with no sibling moves up without hashing.
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::MalformedPath);
    }
    if r != *root {
        return Err(ProofError::RootMismatch { expected: *root, computed: r });
    }
    Ok(())
}

/// Checks that the tree of `new_size` leaves with root `new_root` extends the
/// tree of `old_size` leaves with root `old_root` (RFC 9162 section 2.1.4.2).
///
/// Beyond the RFC's `0 < old_size < new_size` case: equal sizes need an empty
/// proof and equal roots; `old_size == 0` needs an empty proof and an old root
/// equal to the empty-tree root (every log extends the empty log, but a wrong
/// root for it still means the caller's data is wrong).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldSizeLarger { old_size, new_size });
    }
    if old_size == new_size || old_size == 0 {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength { expected: 0, got: proof.len() });
        }
        if old_size == 0 {
            if *old_root != empty_root() {
                return Err(ProofError::EmptyTreeRootMismatch { old_root: *old_root });
            }
            return Ok(());
        }
        if old_root != new_root {
            return Err(ProofError::SameSizeRootsDiffer { size: old_size, old_root: *old_root, new_root: *new_root });
        }
        return Ok(());
    }
    let expected = consistency_proof_len(old_size, new_size);
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength { expected, got: proof.len() });
    }
    // RFC step 2: when the old tree is a perfect subtree its root is the seed
    // and is not repeated in the proof.
    let (seed, rest) = if old_size.is_power_of_two() {
        (*old_root, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => return Err(ProofError::WrongProofLength { expected, got: 0 }),
        }
    };
    let mut fnode = old_size - 1;
    let mut snode = new_size - 1;
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let mut fr = seed;
    let mut sr = seed;
    for c in rest {
        if snode == 0 {
            return Err(ProofError::MalformedPath);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::MalformedPath);
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch { expected: *old_root, computed: fr });
    }
    if sr != *new_root {
        return Err(ProofError::NewRootMismatch { expected: *new_root, computed: sr });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, root_of};
    use crate::tree::MemoryNodes;

    /// RFC 9162 PATH straight from the definition, over the full leaf list.
    fn ref_path(m: usize, d: &[Hash]) -> Vec<Hash> {
        let n = d.len();
        if n <= 1 {
            return vec![];
        }
        let k = split_point(n as u64) as usize;
        if m < k {
            let mut p = ref_path(m, &d[..k]);
            p.push(root_of(&d[k..]));
            p
        } else {
            let mut p = ref_path(m - k, &d[k..]);
            p.push(root_of(&d[..k]));
            p
        }
    }

    /// RFC 9162 SUBPROOF straight from the definition.
    fn ref_subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![root_of(d)] };
        }
        let k = split_point(n as u64) as usize;
        if m <= k {
            let mut p = ref_subproof(m, &d[..k], b);
            p.push(root_of(&d[k..]));
            p
        } else {
            let mut p = ref_subproof(m - k, &d[k..], false);
            p.push(root_of(&d[..k]));
            p
        }
    }

    fn store(n: usize) -> (MemoryNodes, Vec<Hash>) {
        let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(format!("r{i}").as_bytes())).collect();
        let mut s = MemoryNodes::new();
        for l in &leaves {
            s.append(*l);
        }
        (s, leaves)
    }

    #[test]
    fn generated_proofs_equal_reference_small() {
        let (s, leaves) = store(70);
        for n in 1..=70usize {
            let d = &leaves[..n];
            let root = root_of(d);
            for (m, leaf) in d.iter().enumerate() {
                let p = inclusion_proof(&s, m as u64, n as u64).unwrap();
                assert_eq!(p, ref_path(m, d), "inclusion {m} in {n}");
                assert_eq!(p.len(), inclusion_proof_len(m as u64, n as u64));
                verify_inclusion(leaf, m as u64, n as u64, &p, &root).unwrap();
            }
            for m in 1..n {
                let p = consistency_proof(&s, m as u64, n as u64).unwrap();
                assert_eq!(p, ref_subproof(m, d, true), "consistency {m} -> {n}");
                assert_eq!(p.len(), consistency_proof_len(m as u64, n as u64));
                verify_consistency(m as u64, n as u64, &root_of(&leaves[..m]), &root, &p).unwrap();
            }
        }
    }

    #[test]
    fn argument_errors() {
        let (s, _) = store(5);
        assert!(matches!(inclusion_proof(&s, 5, 5), Err(ProofGenError::LeafIndexOutOfRange { index: 5, size: 5 })));
        assert!(matches!(inclusion_proof(&s, 0, 0), Err(ProofGenError::LeafIndexOutOfRange { .. })));
        assert!(matches!(consistency_proof(&s, 4, 3), Err(ProofGenError::OldSizeLarger { .. })));
        assert_eq!(consistency_proof(&s, 0, 5).unwrap(), Vec::<Hash>::new());
        assert_eq!(consistency_proof(&s, 5, 5).unwrap(), Vec::<Hash>::new());
        // Asking beyond what is stored surfaces the store's error.
        assert!(matches!(inclusion_proof(&s, 0, 6), Err(ProofGenError::Read { .. })));
    }

    #[test]
    fn degenerate_consistency_cases() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let e = empty_root();
        assert_eq!(verify_consistency(0, 0, &e, &e, &[]), Ok(()));
        assert_eq!(verify_consistency(0, 7, &e, &a, &[]), Ok(()));
        assert!(matches!(verify_consistency(0, 7, &a, &a, &[]), Err(ProofError::EmptyTreeRootMismatch { .. })));
        assert!(matches!(
            verify_consistency(0, 7, &e, &a, &[e]),
            Err(ProofError::WrongProofLength { expected: 0, got: 1 })
        ));
        assert_eq!(verify_consistency(3, 3, &a, &a, &[]), Ok(()));
        assert!(matches!(verify_consistency(3, 3, &a, &b, &[]), Err(ProofError::SameSizeRootsDiffer { size: 3, .. })));
        assert!(matches!(
            verify_consistency(3, 3, &a, &a, &[b]),
            Err(ProofError::WrongProofLength { expected: 0, got: 1 })
        ));
        assert!(matches!(verify_consistency(4, 3, &a, &b, &[]), Err(ProofError::OldSizeLarger { .. })));
        assert!(matches!(
            verify_consistency(1, 2, &a, &b, &[]),
            Err(ProofError::WrongProofLength { expected: 1, got: 0 })
        ));
    }

    #[test]
    fn proof_lengths_for_known_sizes() {
        // From the CT test vectors: (1,8) -> 3, (6,8) -> 3, (2,5) -> 2, (6,7) -> 3.
        assert_eq!(consistency_proof_len(1, 8), 3);
        assert_eq!(consistency_proof_len(6, 8), 3);
        assert_eq!(consistency_proof_len(2, 5), 2);
        assert_eq!(consistency_proof_len(6, 7), 3);
        assert_eq!(inclusion_proof_len(0, 1), 0);
        assert_eq!(inclusion_proof_len(2, 3), 1);
        assert_eq!(inclusion_proof_len(1, 5), 3);
        assert_eq!(inclusion_proof_len(4, 5), 1);
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), 63);
        assert_eq!(inclusion_proof_len(0, u64::MAX), 64);
    }
}
