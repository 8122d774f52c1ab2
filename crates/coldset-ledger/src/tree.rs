//! Node addressing, the compact (frontier) tree and the node store interface.

use crate::error::{LedgerError, ProofGenError};
use crate::hash::{empty_root, node_hash, Hash};

/// Largest tree size accepted when restoring state. Appending one leaf at a
/// time can never get from here to `u64::MAX`, so `append` needs no overflow
/// handling.
pub const MAX_TREE_SIZE: u64 = 1 << 63;

/// A perfect subtree of the log: the `2^level` leaves
/// `[index << level, (index + 1) << level)`, and its hash.
///
/// Level 0 nodes are leaf hashes. Once complete, a node never changes, which is
/// why a store can keep them in an append-only table keyed by `(level, index)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    /// Height of the subtree (0 = a single leaf).
    pub level: u8,
    /// Position of the subtree among the subtrees of this level.
    pub index: u64,
    /// Merkle tree hash of the subtree.
    pub hash: Hash,
}

/// Read access to stored perfect-subtree hashes, as returned by
/// [`CompactTree::append`].
///
/// Only nodes that are complete within the tree being proved are requested,
/// so a store that saved every [`Node`] from every append can answer all of
/// them.
pub trait NodeReader {
    /// The store's error, reported inside [`ProofGenError::Read`].
    type Error;

    /// Hash of the perfect subtree at `(level, index)`.
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;
}

impl<R: NodeReader + ?Sized> NodeReader for &R {
    type Error = R::Error;

    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error> {
        (**self).node(level, index)
    }
}

pub(crate) fn read_node<R: NodeReader + ?Sized>(r: &R, level: u8, index: u64) -> Result<Hash, ProofGenError<R::Error>> {
    r.node(level, index).map_err(|source| ProofGenError::Read { level, index, source })
}

/// The right frontier of a Merkle tree: the roots of the perfect subtrees
/// that the leaves decompose into, one per set bit of the size, largest
/// (leftmost) first.
///
/// That is all the state needed to append and to compute the root, so a log of
/// any length is extended in O(log n) memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactTree {
    size: u64,
    frontier: Vec<Hash>,
}

impl CompactTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empty tree whose frontier never reallocates, for the streaming verifier.
    pub(crate) fn with_full_capacity() -> Self {
        Self { size: 0, frontier: Vec::with_capacity(64) }
    }

    /// Restores a tree from its size and [`CompactTree::frontier`].
    ///
    /// The hashes cannot be checked here; they are only as trustworthy as the
    /// place they were persisted.
    pub fn from_frontier(size: u64, frontier: Vec<Hash>) -> Result<Self, LedgerError> {
        if size > MAX_TREE_SIZE {
            return Err(LedgerError::TreeTooLarge { size });
        }
        let expected = size.count_ones() as usize;
        if frontier.len() != expected {
            return Err(LedgerError::FrontierLength { size, expected, got: frontier.len() });
        }
        Ok(Self { size, frontier })
    }

    /// Rebuilds the tree of the first `size` leaves from stored nodes, reading
    /// one node per set bit of `size`.
    pub fn from_reader<R: NodeReader + ?Sized>(reader: &R, size: u64) -> Result<Self, ProofGenError<R::Error>> {
        if size > MAX_TREE_SIZE {
            return Err(ProofGenError::TreeTooLarge { size });
        }
        let mut frontier = Vec::with_capacity(size.count_ones() as usize);
        for (level, index) in frontier_positions(size) {
            frontier.push(read_node(reader, level, index)?);
        }
        Ok(Self { size, frontier })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The frontier hashes, largest subtree first; persist these together with
    /// [`CompactTree::size`].
    pub fn frontier(&self) -> &[Hash] {
        &self.frontier
    }

    /// The frontier with each hash's node address.
    pub fn frontier_nodes(&self) -> impl Iterator<Item = Node> + '_ {
        frontier_positions(self.size).zip(self.frontier.iter()).map(|((level, index), hash)| Node {
            level,
            index,
            hash: *hash,
        })
    }

    /// Merkle tree hash of all leaves appended so far.
    pub fn root(&self) -> Hash {
        // MTH splits off the largest perfect subtree on the left, so the root
        // folds the frontier from the right.
        let mut hashes = self.frontier.iter().rev();
        let Some(last) = hashes.next() else {
            return empty_root();
        };
        hashes.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// Appends a leaf hash and returns every perfect subtree this completes:
    /// the leaf at level 0, then each node it closed, lowest first.
    ///
    /// Storing all returned nodes is exactly what [`crate::inclusion_proof`]
    /// and [`crate::consistency_proof`] need later.
    pub fn append(&mut self, leaf: Hash) -> Vec<Node> {
        let mut nodes = Vec::with_capacity(self.size.trailing_ones() as usize + 1);
        self.append_with(leaf, |node| nodes.push(node));
        nodes
    }

    /// Like [`CompactTree::append`], but hands each completed node to `visit`
    /// instead of allocating a vector.
    pub fn append_with(&mut self, leaf: Hash, mut visit: impl FnMut(Node)) {
        let leaf_index = self.size;
        visit(Node { level: 0, index: leaf_index, hash: leaf });
        // Each trailing one bit of the old size is a frontier subtree of the
        // same height as the one being built, so the two merge.
        let mut hash = leaf;
        let mut level: u8 = 0;
        for _ in 0..self.size.trailing_ones() {
            let Some(left) = self.frontier.pop() else {
                // Unreachable: constructors keep one hash per set bit.
                break;
            };
            hash = node_hash(&left, &hash);
            level += 1;
            visit(Node { level, index: leaf_index >> level, hash });
        }
        self.frontier.push(hash);
        self.size += 1;
    }

    /// Appends a leaf hash without reporting the completed nodes.
    pub fn push(&mut self, leaf: Hash) {
        self.append_with(leaf, |_| {});
    }
}

/// `(level, index)` of the frontier subtrees of a tree of `size` leaves,
/// largest first.
pub(crate) fn frontier_positions(size: u64) -> impl Iterator<Item = (u8, u64)> {
    (0..64u8).rev().filter(move |level| (size >> level) & 1 == 1).map(move |level| (level, (size >> level) - 1))
}

/// A node missing from a [`MemoryNodes`] store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no stored node at level {level}, index {index}")]
pub struct MissingNode {
    /// Level asked for.
    pub level: u8,
    /// Index asked for.
    pub index: u64,
}

/// An in-memory node store: every node from every append, kept by level.
///
/// Meant for tests, tools and small logs; a production store keeps the same
/// `(level, index) -> hash` table on disk.
#[derive(Clone, Debug, Default)]
pub struct MemoryNodes {
    levels: Vec<Vec<Hash>>,
    tree: CompactTree,
}

impl MemoryNodes {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash, storing every node it completes.
    pub fn append(&mut self, leaf: Hash) {
        let levels = &mut self.levels;
        self.tree.append_with(leaf, |node| {
            let level = usize::from(node.level);
            if levels.len() <= level {
                levels.resize_with(level + 1, Vec::new);
            }
            // Nodes of one level complete in index order, so push keeps
            // position == index.
            if let Some(row) = levels.get_mut(level) {
                row.push(node.hash);
            }
        });
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Root of the whole tree.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The compact tree over the same leaves.
    pub fn tree(&self) -> &CompactTree {
        &self.tree
    }
}

impl NodeReader for MemoryNodes {
    type Error = MissingNode;

    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.levels
            .get(usize::from(level))
            .and_then(|row| row.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(MissingNode { level, index })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, root_of};

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&(i as u64).to_be_bytes())).collect()
    }

    #[test]
    fn root_matches_reference_for_small_sizes() {
        let all = leaves(70);
        let mut t = CompactTree::new();
        assert_eq!(t.root(), empty_root());
        for (i, l) in all.iter().enumerate() {
            t.push(*l);
            assert_eq!(t.root(), root_of(&all[..=i]), "size {}", i + 1);
            assert_eq!(t.frontier().len(), (i + 1).count_ones() as usize);
        }
    }

    #[test]
    fn append_reports_completed_nodes() {
        let all = leaves(16);
        let mut t = CompactTree::new();
        for l in &all[..7] {
            t.append(*l);
        }
        // Leaf 7 closes [6,8), [4,8) and [0,8).
        let nodes = t.append(all[7]);
        let addrs: Vec<(u8, u64)> = nodes.iter().map(|n| (n.level, n.index)).collect();
        assert_eq!(addrs, vec![(0, 7), (1, 3), (2, 1), (3, 0)]);
        assert_eq!(nodes[1].hash, root_of(&all[6..8]));
        assert_eq!(nodes[2].hash, root_of(&all[4..8]));
        assert_eq!(nodes[3].hash, root_of(&all[..8]));
        // Leaf 8 closes nothing above itself.
        let nodes = t.append(all[8]);
        assert_eq!(nodes.len(), 1);
        assert_eq!((nodes[0].level, nodes[0].index), (0, 8));
    }

    #[test]
    fn every_reported_node_is_the_subtree_it_names() {
        let all = leaves(100);
        let mut t = CompactTree::new();
        for l in &all {
            for n in t.append(*l) {
                let start = (n.index << n.level) as usize;
                let end = ((n.index + 1) << n.level) as usize;
                assert_eq!(n.hash, root_of(&all[start..end]));
            }
        }
    }

    #[test]
    fn frontier_round_trip_and_validation() {
        let all = leaves(13);
        let mut t = CompactTree::new();
        for l in &all {
            t.push(*l);
        }
        let restored = CompactTree::from_frontier(t.size(), t.frontier().to_vec()).unwrap();
        assert_eq!(restored, t);
        let nodes: Vec<(u8, u64)> = t.frontier_nodes().map(|n| (n.level, n.index)).collect();
        assert_eq!(nodes, vec![(3, 0), (2, 2), (0, 12)]);

        let err = CompactTree::from_frontier(13, vec![[0; 32]; 2]).unwrap_err();
        assert_eq!(err, LedgerError::FrontierLength { size: 13, expected: 3, got: 2 });
        assert!(CompactTree::from_frontier(0, vec![]).unwrap().root() == empty_root());
        assert!(matches!(
            CompactTree::from_frontier(u64::MAX, vec![[0; 32]; 64]),
            Err(LedgerError::TreeTooLarge { .. })
        ));
    }

    #[test]
    fn from_reader_matches_incremental_tree() {
        let all = leaves(40);
        let mut store = MemoryNodes::new();
        for l in &all {
            store.append(*l);
        }
        for size in 0..=40u64 {
            let t = CompactTree::from_reader(&store, size).unwrap();
            assert_eq!(t.size(), size);
            assert_eq!(t.root(), root_of(&all[..size as usize]));
        }
        let err = CompactTree::from_reader(&store, 41).unwrap_err();
        assert!(matches!(err, ProofGenError::Read { level: 0, index: 40, .. }));
        // Store errors stay reachable as the error's source.
        let source = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("no stored node at level 0, index 40"));
        fn is_error<T: std::error::Error + Send + Sync + 'static>(_: &T) {}
        is_error(&err);
    }
}
