//! The answers the WAF gives instead of forwarding: AWS's default block for API Gateway
//! (403 `{"message":"Forbidden"}`), a Block action's custom response, the CAPTCHA puzzle
//! (405) and the silent challenge (202, which issues an `aws-waf-token`), and Monetize (402).

use bytes::Bytes;
use rampart_waf::{CustomResponse, FinalAction};

/// The body of a CAPTCHA answer: the puzzle page (Rampart has no puzzle to solve).
const CAPTCHA_PAGE: &str = "<!DOCTYPE html><html><head><title>Human Verification</title></head>\
<body><p>Please verify that you are a human: this request needs a CAPTCHA token.</p></body></html>";
/// The body of a challenge answer.
const CHALLENGE_PAGE: &str = "<!DOCTYPE html><html><head><title>Challenge</title></head>\
<body><p>Checking your browser. The request will be retried with a token.</p></body></html>";

fn build(status: u16, headers: &[(&str, String)], body: &str) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    match builder.body(Bytes::from(body.to_owned())) {
        Ok(response) => response,
        Err(_) => {
            let mut response = http::Response::new(Bytes::from(body.to_owned()));
            *response.status_mut() = http::StatusCode::FORBIDDEN;
            response
        }
    }
}

/// API Gateway's answer to a request its web ACL blocked.
pub fn forbidden() -> http::Response<Bytes> {
    build(
        403,
        &[
            ("content-type", "application/json".to_owned()),
            ("x-amzn-errortype", "ForbiddenException".to_owned()),
        ],
        r#"{"message":"Forbidden"}"#,
    )
}

/// A Block action's `CustomResponse`.
pub fn custom(response: &CustomResponse) -> http::Response<Bytes> {
    let mut headers: Vec<(&str, String)> = response
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.clone()))
        .collect();
    let body = match &response.body {
        Some((content_type, content)) => {
            headers.push(("content-type", content_type.clone()));
            content.as_str()
        }
        None => "",
    };
    build(response.status, &headers, body)
}

/// The answer to a request whose terminating action is not Allow; `token` the
/// `aws-waf-token` a challenge issues.
pub fn answer(action: &FinalAction, token: Option<String>) -> Option<http::Response<Bytes>> {
    let html = ("content-type", "text/html; charset=utf-8".to_owned());
    Some(match action {
        FinalAction::Allow => return None,
        FinalAction::Block(None) => forbidden(),
        FinalAction::Block(Some(response)) => custom(response),
        FinalAction::Captcha => build(
            405,
            &[html, ("x-amzn-waf-action", "captcha".into())],
            CAPTCHA_PAGE,
        ),
        FinalAction::Challenge => {
            let mut headers = vec![html, ("x-amzn-waf-action", "challenge".to_owned())];
            if let Some(token) = token {
                let cookie = format!("{}={token}; Path=/; HttpOnly", super::token::COOKIE);
                headers.push(("set-cookie", cookie));
            }
            build(202, &headers, CHALLENGE_PAGE)
        }
        FinalAction::Monetize => build(402, &[], ""),
    })
}

/// AWS's name of an action (`ALLOW`, `BLOCK`…), as logs and samples write it.
pub fn action_name(action: &FinalAction) -> &'static str {
    match action {
        FinalAction::Allow => "ALLOW",
        FinalAction::Block(_) => "BLOCK",
        FinalAction::Captcha => "CAPTCHA",
        FinalAction::Challenge => "CHALLENGE",
        FinalAction::Monetize => "MONETIZE",
    }
}
