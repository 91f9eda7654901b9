pub mod accounts;
pub mod dashboard;
pub mod not_found;
pub mod projects;
pub mod sessions;
pub mod handoff;
