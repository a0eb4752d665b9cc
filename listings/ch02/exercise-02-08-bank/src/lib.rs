//! A bank whose transfers deadlock. Fix `transfer`.

use std::sync::Mutex;

#[derive(Debug, PartialEq, Eq)]
pub enum TransferError {
    /// The source account holds less than the amount.
    InsufficientFunds,
    /// Source and destination are the same account.
    SameAccount,
}

pub struct Bank {
    accounts: Vec<Mutex<u64>>,
}

impl Bank {
    /// A bank of `n` accounts holding `each` apiece.
    pub fn new(n: usize, each: u64) -> Bank {
        Bank {
            accounts: (0..n).map(|_| Mutex::new(each)).collect(),
        }
    }

    pub fn balance(&self, account: usize) -> u64 {
        *self.accounts[account].lock().unwrap()
    }

    pub fn total(&self) -> u64 {
        (0..self.accounts.len()).map(|a| self.balance(a)).sum()
    }

    /// Moves `amount` from `from` to `to`, atomically: no other transfer
    /// sees one half done. Called from many threads at once.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        // Locks in the order the accounts are named: two transfers crossing
        // between the same two accounts can each hold one lock and wait for
        // the other for ever.
        let mut source = self.accounts[from].lock().unwrap();
        let mut dest = self.accounts[to].lock().unwrap();
        if *source < amount {
            return Err(TransferError::InsufficientFunds);
        }
        *source -= amount;
        *dest += amount;
        Ok(())
    }
}
