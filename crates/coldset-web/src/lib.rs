//! coldset-web
