//! A bank whose transfers cannot deadlock: every transfer locks the account
//! with the smaller index first.

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

    /// Moves `amount` from `from` to `to`, atomically.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        if from == to {
            return Err(TransferError::SameAccount);
        }
        // One global order: the smaller index is always locked first.
        let (low, high) = (from.min(to), from.max(to));
        let mut low_guard = self.accounts[low].lock().unwrap();
        let mut high_guard = self.accounts[high].lock().unwrap();
        let (source, dest) = if from == low {
            (&mut *low_guard, &mut *high_guard)
        } else {
            (&mut *high_guard, &mut *low_guard)
        };
        if *source < amount {
            return Err(TransferError::InsufficientFunds);
        }
        *source -= amount;
        *dest += amount;
        Ok(())
    }
}
