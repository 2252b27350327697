//! Authentication: the token store now; OIDC flows, JWT validation and roles later.

pub mod token_store;
