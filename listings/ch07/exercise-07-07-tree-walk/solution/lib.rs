use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};

/// A binary search tree of `i32`.
pub enum Tree {
    Leaf,
    Node(Box<Tree>, i32, Box<Tree>),
}

impl Tree {
    /// A balanced tree holding `sorted` (which must be sorted).
    pub fn from_sorted(sorted: &[i32]) -> Tree {
        if sorted.is_empty() {
            return Tree::Leaf;
        }
        let mid = sorted.len() / 2;
        Tree::Node(
            Box::new(Tree::from_sorted(&sorted[..mid])),
            sorted[mid],
            Box::new(Tree::from_sorted(&sorted[mid + 1..])),
        )
    }

    /// A degenerate tree `depth` levels deep: 0, 1, …, depth-1 down the
    /// left side, so the largest value sits at the root. Built without
    /// recursion.
    pub fn left_chain(depth: i32) -> Tree {
        let mut tree = Tree::Leaf;
        for v in 0..depth {
            tree = Tree::Node(Box::new(tree), v, Box::new(Tree::Leaf));
        }
        tree
    }
}

/// Dropping a tree takes no recursion, so a very deep tree never overflows
/// the stack of whoever drops it.
impl Drop for Tree {
    fn drop(&mut self) {
        // Detach the children onto a list; each node popped from it has its
        // own children detached before it is dropped, so every drop is shallow.
        let mut pending = Vec::new();
        let detach = |tree: &mut Tree, pending: &mut Vec<Tree>| {
            if let Tree::Node(left, _, right) = tree {
                pending.push(std::mem::replace(&mut **left, Tree::Leaf));
                pending.push(std::mem::replace(&mut **right, Tree::Leaf));
            }
        };
        detach(self, &mut pending);
        while let Some(mut tree) = pending.pop() {
            detach(&mut tree, &mut pending);
        }
    }
}

/// Hands every value of `tree` to `yielder.suspend`, smallest first. The
/// recursion is the ordinary one: the coroutine's stack keeps the path from
/// the root while the consumer holds the value.
fn walk(tree: &Tree, yielder: &Yielder<(), i32>) {
    if let Tree::Node(left, value, right) = tree {
        walk(left, yielder);
        yielder.suspend(*value);
        walk(right, yielder);
    }
}

/// The values of a tree in order, computed one at a time by a recursive walk
/// that runs on its own stack.
pub struct InOrder {
    coroutine: Coroutine<(), i32, (), DefaultStack>,
}

impl InOrder {
    /// Starts (but does not run) a walk of `tree` on a coroutine whose stack
    /// holds `stack_bytes`. Fails only if the stack cannot be mapped.
    pub fn new(tree: Tree, stack_bytes: usize) -> std::io::Result<InOrder> {
        let stack = DefaultStack::new(stack_bytes)?;
        // The tree moves onto the coroutine: it lives (and is dropped) there.
        let coroutine = Coroutine::with_stack(stack, move |yielder, ()| walk(&tree, yielder));
        Ok(InOrder { coroutine })
    }
}

impl Iterator for InOrder {
    type Item = i32;

    fn next(&mut self) -> Option<i32> {
        if self.coroutine.done() {
            return None; // resuming a finished coroutine would panic
        }
        match self.coroutine.resume(()) {
            CoroutineResult::Yield(value) => Some(value),
            CoroutineResult::Return(()) => None,
        }
    }
}
