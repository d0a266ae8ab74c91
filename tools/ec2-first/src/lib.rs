//! Empty on purpose: see this package's Cargo.toml. hacheck uses `aws_sdk_ec2` directly.
