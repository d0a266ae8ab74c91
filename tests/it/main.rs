//! Integration tests: one binary (so the SDK is linked once), one module per area.

mod support;

mod inventory_cli;
mod inventory_live;
