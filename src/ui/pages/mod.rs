pub mod accounts;
pub mod bundle;
pub mod dashboard;
pub mod handoff;
pub mod knowledge;
pub mod not_found;
pub mod projects;
pub mod sessions;
