//! The replay's load balancers: Application, Network and Classic ones, their listeners (an
//! HTTPS or TLS one with a certificate requested from moto's ACM), rules and target groups.

use super::*;

/// A certificate of moto's ACM for HTTPS and TLS listeners (an invented ARN is refused).
/// The SDK has no ACM client among hacheck's crates: one JSON request does it.
pub fn request_certificate(endpoint: &str) -> String {
    let address = endpoint.trim_start_matches("http://");
    let body = r#"{"DomainName":"example.com"}"#;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: CertificateManager.RequestCertificate\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20261201/us-east-1/acm/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let json = &response[response.find("\r\n\r\n").expect("an HTTP response") + 4..];
    let reply: Value = serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("replay: ACM answered {response}: {e}"));
    text(&reply, "CertificateArn")
}

pub(super) async fn load_balancers(
    clients: &Clients,
    document: &Value,
    ids: &mut Replayed,
    certificate: &str,
) {
    for group in items(document, "target_groups") {
        let kind = text(group, "target_type");
        let check = &group["health_check"];
        let mut request = clients
            .elbv2
            .create_target_group()
            .name(text(group, "name"))
            .target_type(elbv2t::TargetTypeEnum::from(kind.as_str()));
        // A Lambda function's target group has no port, protocol, VPC or health-check port.
        if kind != "lambda" {
            request = request
                .protocol(elbv2t::ProtocolEnum::from(text(group, "protocol").as_str()))
                .port(int(group, "port"))
                .vpc_id(ids.known(&text(group, "vpc_id")))
                .health_check_enabled(check["enabled"] == true)
                .health_check_protocol(elbv2t::ProtocolEnum::from(text(check, "protocol").as_str()))
                .health_check_port(text(check, "port"))
                .health_check_interval_seconds(int(check, "interval_seconds"))
                .healthy_threshold_count(int(check, "healthy_threshold"))
                .unhealthy_threshold_count(int(check, "unhealthy_threshold"));
            if let Some(path) = check["path"].as_str() {
                request = request.health_check_path(path);
            }
        }
        let created = request.send().await.unwrap();
        let arn = created.target_groups()[0].target_group_arn().unwrap();
        ids.map(&text(group, "arn"), arn);
    }
    for lb in items(document, "load_balancers") {
        let subnets: Vec<String> = texts(lb, "subnet_ids")
            .iter()
            .map(|s| ids.known(s))
            .collect();
        let groups: Vec<String> = texts(lb, "security_group_ids")
            .iter()
            .map(|g| ids.known(g))
            .collect();
        let created = clients
            .elbv2
            .create_load_balancer()
            .name(text(lb, "name"))
            .r#type(elbv2t::LoadBalancerTypeEnum::from(
                text(lb, "lb_type").as_str(),
            ))
            .scheme(elbv2t::LoadBalancerSchemeEnum::from(
                text(lb, "scheme").as_str(),
            ))
            .set_subnets(Some(subnets))
            .set_security_groups((!groups.is_empty()).then_some(groups))
            .send()
            .await
            .unwrap();
        let live = &created.load_balancers()[0];
        ids.map(&text(lb, "arn"), live.load_balancer_arn().unwrap());
        ids.map(&text(lb, "dns_name"), live.dns_name().unwrap());
    }
    for listener in items(document, "listeners") {
        let protocol = text(listener, "protocol");
        let mut request = clients
            .elbv2
            .create_listener()
            .load_balancer_arn(ids.known(&text(listener, "load_balancer_arn")))
            .port(int(listener, "port"))
            .protocol(elbv2t::ProtocolEnum::from(protocol.as_str()));
        if protocol == "HTTPS" || protocol == "TLS" {
            request = request.certificates(
                elbv2t::Certificate::builder()
                    .certificate_arn(certificate)
                    .build(),
            );
        }
        let action_of = |action: &Value| match action["action_type"].as_str().unwrap() {
            "forward" => {
                let [group] = texts(action, "target_group_arns").try_into().unwrap();
                elbv2t::Action::builder()
                    .r#type(elbv2t::ActionTypeEnum::Forward)
                    .target_group_arn(ids.known(&group))
                    .build()
            }
            "redirect" => elbv2t::Action::builder()
                .r#type(elbv2t::ActionTypeEnum::Redirect)
                .redirect_config(
                    elbv2t::RedirectActionConfig::builder()
                        .protocol(text(action, "redirect_protocol"))
                        .port(text(action, "redirect_port"))
                        .status_code(elbv2t::RedirectActionStatusCodeEnum::Http301)
                        .build(),
                )
                .build(),
            "fixed-response" => elbv2t::Action::builder()
                .r#type(elbv2t::ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    elbv2t::FixedResponseActionConfig::builder()
                        .status_code("404")
                        .build(),
                )
                .build(),
            other => panic!("replay: listener action `{other}`"),
        };
        for action in listener["default_actions"].as_array().unwrap() {
            request = request.default_actions(action_of(action));
        }
        let created = request.send().await.unwrap();
        let listener_arn = created.listeners()[0].listener_arn().unwrap().to_owned();
        for rule in listener["rules"].as_array().into_iter().flatten() {
            let mut request = clients
                .elbv2
                .create_rule()
                .listener_arn(&listener_arn)
                .priority(rule["priority"].as_i64().unwrap() as i32);
            for condition in texts(rule, "conditions") {
                let (field, values) = condition.split_once(' ').unwrap();
                assert_eq!(field, "host-header", "replay: rule condition `{condition}`");
                request = request.conditions(
                    elbv2t::RuleCondition::builder()
                        .field(field)
                        .host_header_config(
                            elbv2t::HostHeaderConditionConfig::builder()
                                .set_values(Some(values.split(' ').map(str::to_owned).collect()))
                                .build(),
                        )
                        .build(),
                );
            }
            for action in rule["actions"].as_array().unwrap() {
                request = request.actions(action_of(action));
            }
            request.send().await.unwrap();
        }
    }
    for lb in items(document, "classic_load_balancers") {
        let name = text(lb, "name");
        let mut request = clients
            .elb
            .create_load_balancer()
            .load_balancer_name(&name)
            .scheme(text(lb, "scheme"))
            .set_availability_zones(Some(texts(lb, "availability_zones")))
            .set_subnets(Some(
                texts(lb, "subnet_ids")
                    .iter()
                    .map(|s| ids.known(s))
                    .collect(),
            ))
            .set_security_groups(Some(
                texts(lb, "security_group_ids")
                    .iter()
                    .map(|g| ids.known(g))
                    .collect(),
            ));
        for listener in lb["listeners"].as_array().unwrap() {
            let protocol = text(listener, "protocol");
            let mut built = elbt::Listener::builder()
                .protocol(&protocol)
                .load_balancer_port(int(listener, "port"))
                .instance_protocol(text(listener, "instance_protocol"))
                .instance_port(int(listener, "instance_port"));
            if protocol == "HTTPS" || protocol == "SSL" {
                built = built.ssl_certificate_id(certificate);
            }
            request = request.listeners(built.build().unwrap());
        }
        let created = request.send().await.unwrap();
        ids.map(&text(lb, "dns_name"), created.dns_name().unwrap());
        let check = &lb["health_check"];
        clients
            .elb
            .configure_health_check()
            .load_balancer_name(&name)
            .health_check(
                elbt::HealthCheck::builder()
                    .target(text(check, "target"))
                    .interval(int(check, "interval_seconds"))
                    .timeout(int(check, "timeout_seconds"))
                    .healthy_threshold(int(check, "healthy_threshold"))
                    .unhealthy_threshold(int(check, "unhealthy_threshold"))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        clients
            .elb
            .modify_load_balancer_attributes()
            .load_balancer_name(&name)
            .load_balancer_attributes(
                elbt::LoadBalancerAttributes::builder()
                    .cross_zone_load_balancing(
                        elbt::CrossZoneLoadBalancing::builder()
                            .enabled(lb["cross_zone"] == true)
                            .build(),
                    )
                    .set_connection_draining(lb["connection_draining"].as_i64().map(|seconds| {
                        elbt::ConnectionDraining::builder()
                            .enabled(seconds > 0)
                            .timeout(seconds.max(1) as i32)
                            .build()
                    }))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
}
