//! `/accounts`: the pool with headroom and refill times, picking the best account, adding
//! and importing accounts; `/accounts/{id}`: one account, its actions and switch history.
//!
//! The list page is in `list`, with its side panels: `select` (which account next), `form`
//! (adding one; its fields also edit one) and `import` (pasting many); the account's page
//! in `detail`; the switch history, also shown on a project's page, in `history`.

mod detail;
mod form;
mod history;
mod import;
mod list;
mod select;

pub use detail::AccountPage;
pub use history::SwitchHistory;
pub use list::AccountsPage;
