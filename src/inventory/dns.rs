//! How DNS names are compared: Route 53 stores an alias target as `dualstack.Name.` or
//! `name`, in any letter case, with or without the final dot, and a load balancer reports
//! its name in yet another form. One normalisation serves every comparison.

/// Lower-case DNS name without a `dualstack.` prefix or trailing dot.
pub fn normalize_dns(name: &str) -> String {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    lower
        .strip_prefix("dualstack.")
        .map(str::to_owned)
        .unwrap_or(lower)
}

#[cfg(test)]
mod tests {
    use super::normalize_dns;

    #[test]
    fn every_form_route53_stores_compares_equal() {
        let lb = "web-1234.us-east-1.elb.amazonaws.com";
        for form in [
            "web-1234.us-east-1.elb.amazonaws.com.",
            "dualstack.web-1234.us-east-1.elb.amazonaws.com.",
            "DualStack.Web-1234.US-EAST-1.elb.amazonaws.com",
        ] {
            assert_eq!(normalize_dns(form), normalize_dns(lb), "{form}");
        }
    }
}
