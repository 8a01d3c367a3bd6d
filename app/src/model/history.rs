//! Undo and redo for the field builder: a bounded stack of earlier states.
//! Pure, so it is tested without a browser.

/// Earlier (`undo`) and later (`redo`) states of something edited.
#[derive(Debug, Clone)]
pub struct History<T> {
    undo: Vec<T>,
    redo: Vec<T>,
    limit: usize,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        History::new(200)
    }
}

impl<T> History<T> {
    pub fn new(limit: usize) -> Self {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// Remembers `before`, the state a change is about to replace. A new
    /// change forgets what could be redone.
    pub fn record(&mut self, before: T) {
        if self.undo.len() == self.limit {
            self.undo.remove(0);
        }
        self.undo.push(before);
        self.redo.clear();
    }

    /// The state to go back to; `current` becomes redoable.
    pub fn undo(&mut self, current: T) -> Option<T> {
        let back = self.undo.pop()?;
        self.redo.push(current);
        Some(back)
    }

    /// The state to go forward to; `current` becomes undoable again.
    pub fn redo(&mut self, current: T) -> Option<T> {
        let next = self.redo.pop()?;
        self.undo.push(current);
        Some(next)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::History;

    #[test]
    fn undo_and_redo_walk_the_changes_both_ways() {
        let mut h = History::new(10);
        let mut now = 0;
        for next in 1..=3 {
            h.record(now);
            now = next;
        }
        now = h.undo(now).unwrap();
        assert_eq!(now, 2);
        now = h.undo(now).unwrap();
        assert_eq!(now, 1);
        now = h.redo(now).unwrap();
        assert_eq!(now, 2);
        assert!(h.can_redo());
        // A new change after undoing drops the redo branch.
        h.record(now);
        now = 7;
        assert!(!h.can_redo());
        assert_eq!(h.undo(now), Some(2));
    }

    #[test]
    fn the_oldest_states_are_dropped_past_the_limit() {
        let mut h = History::new(2);
        h.record(1);
        h.record(2);
        h.record(3);
        assert_eq!(h.undo(4), Some(3));
        assert_eq!(h.undo(3), Some(2));
        assert_eq!(h.undo(2), None);
        assert!(!h.can_undo());
    }
}
