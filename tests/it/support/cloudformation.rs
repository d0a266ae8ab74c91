//! moto's CloudFormation through its query API: hacheck has no CloudFormation client among
//! its crates (only tests deploy stacks), and two calls do not justify building one.

use std::io::{Read, Write};

/// `application/x-www-form-urlencoded` of one value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One query call; the XML answer, or a panic naming the error.
fn call(endpoint: &str, parameters: &[(String, String)]) -> String {
    let address = endpoint.trim_start_matches("http://");
    let body: Vec<String> = parameters
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let body = body.join("&");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20261201/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
        "CloudFormation answered {response}"
    );
    response
}

/// Creates stack `name` from `template` with `parameters` (moto creates it at once).
pub fn create_stack(endpoint: &str, name: &str, template: &str, parameters: &[(&str, &str)]) {
    let mut query = vec![
        ("Action".to_owned(), "CreateStack".to_owned()),
        ("Version".to_owned(), "2010-05-15".to_owned()),
        ("StackName".to_owned(), name.to_owned()),
        ("TemplateBody".to_owned(), template.to_owned()),
    ];
    for (n, (key, value)) in parameters.iter().enumerate() {
        query.push((
            format!("Parameters.member.{}.ParameterKey", n + 1),
            (*key).to_owned(),
        ));
        query.push((
            format!("Parameters.member.{}.ParameterValue", n + 1),
            (*value).to_owned(),
        ));
    }
    call(endpoint, &query);
}

fn element<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{name}>"))? + start;
    Some(&text[start..end])
}

/// (logical id, type, physical id) of every resource of stack `name` that has all three.
pub fn stack_resources(endpoint: &str, name: &str) -> Vec<(String, String, String)> {
    let answer = call(
        endpoint,
        &[
            ("Action".to_owned(), "DescribeStackResources".to_owned()),
            ("Version".to_owned(), "2010-05-15".to_owned()),
            ("StackName".to_owned(), name.to_owned()),
        ],
    );
    answer
        .split("<member>")
        .skip(1)
        .filter_map(|member| {
            Some((
                element(member, "LogicalResourceId")?.to_owned(),
                element(member, "ResourceType")?.to_owned(),
                element(member, "PhysicalResourceId")?.to_owned(),
            ))
        })
        .collect()
}
