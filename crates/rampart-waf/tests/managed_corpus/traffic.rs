//! Deterministic benign traffic of many shapes: browser page loads with real User-Agents and
//! cookies, searches, form posts, JSON API calls, GraphQL, multipart uploads, API clients.

use rampart_waf::InspectedRequest;
use std::net::IpAddr;

/// xorshift64: the same requests on every run.
pub struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn hex(&mut self, len: usize) -> String {
        (0..len).map(|_| format!("{:x}", self.below(16))).collect()
    }
}

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "okhttp/4.12.0",
    "aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
    "PostmanRuntime/7.37.3",
];

const WORDS: &[&str] = &[
    "running",
    "shoes",
    "O'Brien",
    "rock & roll",
    "50% off",
    "C++",
    "what's new",
    "size 10",
    "blue-green",
    "café",
    "naïve",
    "e-mail",
    "#1 seller",
    "(limited)",
    "don't miss",
    "select",
    "order",
    "union station",
    "drop-off",
    "from scratch",
    "where to buy",
    "and/or",
    "1/2 inch",
    "it's",
    "\"quoted\"",
    "a+b",
    "x=y",
    "semi;colon",
    "tom's diner",
    "insert coin",
];

const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/products",
    "/products/123",
    "/blog/2024/05/spring-sale",
    "/static/js/app.3f9a1c.js",
    "/static/css/main.min.css",
    "/images/logo@2x.png",
    "/api/v1/users/42",
    "/api/v1/orders",
    "/account/settings",
    "/search",
    "/favicon.ico",
    "/docs/getting-started",
    "/fonts/inter-var.woff2",
    "/cart",
    "/checkout/shipping",
];

/// Query-string encoding of a value (unreserved characters kept).
pub fn url_encode(value: &[u8]) -> String {
    value
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `%XX` and `+` decoding; a `%` without two hex digits stays.
pub fn url_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], hex(b.get(i + 1)), hex(b.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap());
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn client(rng: &mut Rng) -> IpAddr {
    format!("198.51.100.{}", rng.below(250) + 1)
        .parse()
        .unwrap()
}

fn base(rng: &mut Rng, method: &str, target: &str) -> InspectedRequest {
    let agent = rng.pick(AGENTS);
    let mut r = InspectedRequest::new(method, target, client(rng))
        .header("host", "shop.example.com")
        .header("user-agent", agent)
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        )
        .header(
            "accept-language",
            rng.pick(&[
                "en-US,en;q=0.9",
                "fr-FR,fr;q=0.8,en;q=0.5",
                "de-DE,de;q=0.9",
            ]),
        )
        .header("accept-encoding", "gzip, deflate, br, zstd");
    if agent.contains("Chrome") {
        r = r
            .header(
                "sec-ch-ua",
                "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"",
            )
            .header("sec-ch-ua-platform", "\"Windows\"")
            .header("sec-fetch-site", "same-origin")
            .header("sec-fetch-mode", "navigate");
    }
    if rng.below(3) > 0 {
        r = r.header(
            "referer",
            &format!("https://shop.example.com{}", rng.pick(PATHS)),
        );
    }
    if rng.below(4) > 0 {
        r = r.header("cookie", &cookies(rng));
    }
    r
}

fn cookies(rng: &mut Rng) -> String {
    let consent = url_encode(br#"{"necessary":true,"analytics":false,"ads":false}"#);
    format!(
        "session={}; theme={}; _ga=GA1.2.{}.{}; consent={consent}; cart_id={}-{}",
        rng.hex(32),
        rng.pick(&["dark", "light"]),
        rng.next() % 1_000_000_000,
        1_700_000_000 + rng.below(10_000_000),
        rng.hex(8),
        rng.hex(4)
    )
}

fn page(rng: &mut Rng) -> InspectedRequest {
    let path = rng.pick(PATHS);
    let target = match rng.below(3) {
        0 => path.to_owned(),
        1 => format!(
            "{path}?page={}&sort={}",
            rng.below(20),
            rng.pick(&["price_asc", "newest", "rating"])
        ),
        _ => format!(
            "{path}?utm_source=newsletter&utm_medium=email&utm_campaign=spring-{}&ref=https%3A%2F%2Fwww.example.org%2F",
            rng.below(9)
        ),
    };
    base(rng, "GET", &target)
}

fn search(rng: &mut Rng) -> InspectedRequest {
    let terms: Vec<&str> = (0..1 + rng.below(3)).map(|_| rng.pick(WORDS)).collect();
    let q = url_encode(terms.join(" ").as_bytes());
    let target = format!(
        "/search?q={q}&category={}&min_price={}&in_stock=true",
        rng.pick(&["shoes", "books", "music"]),
        rng.below(100)
    );
    base(rng, "GET", &target)
}

fn with_body(mut r: InspectedRequest, content_type: &str, body: &str) -> InspectedRequest {
    r = r.header("content-type", content_type);
    r.body(body.as_bytes(), 16 * 1024)
}

fn form(rng: &mut Rng) -> InspectedRequest {
    let message: Vec<&str> = (0..3 + rng.below(6)).map(|_| rng.pick(WORDS)).collect();
    let body = format!(
        "name={}&email={}&phone=%2B1+555-{:04}&address=12+Main+St.%2C+Apt+%234&message={}&newsletter=on&password={}",
        url_encode(
            rng.pick(&[
                "Mary O'Connor",
                "Jean-Luc Picard",
                "Zoë Smith",
                "Ahmed Al-Farsi"
            ])
            .as_bytes()
        ),
        url_encode(b"user.name+tag@example.com"),
        rng.below(10_000),
        url_encode(message.join(", ").as_bytes()),
        url_encode(format!("Pa$$w0rd!{}#(x)", rng.below(100)).as_bytes()),
    );
    with_body(
        base(rng, "POST", "/contact"),
        "application/x-www-form-urlencoded",
        &body,
    )
}

fn json_api(rng: &mut Rng) -> InspectedRequest {
    let note = rng.pick(WORDS);
    let body = format!(
        r#"{{"id":"{}-{}-4{}-a{}-{}","customer":{{"name":"Zoë O'Hara","email":"zoe@example.com","tags":["vip","returning"]}},"items":[{{"sku":"SKU-{}","qty":{},"price":19.99}},{{"sku":"GIFT","qty":1,"price":0}}],"note":{:?},"shipping":{{"method":"express","address":"1 Rue de la Paix, 75002 Paris"}},"created_at":"2024-05-{:02}T10:15:00Z","paid":true,"coupon":null,"callback":"https://hooks.example.com/orders"}}"#,
        rng.hex(8),
        rng.hex(4),
        rng.hex(3),
        rng.hex(3),
        rng.hex(12),
        rng.below(1000),
        1 + rng.below(5),
        note,
        1 + rng.below(28)
    );
    let method = rng.pick(&["POST", "PUT", "PATCH"]);
    let r = base(rng, method, "/api/v1/orders")
        .header("authorization", "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwic2NvcGUiOiJvcmRlcnMifQ.dGhpcy1pcy1hLXNpZ25hdHVyZQ");
    with_body(r, "application/json", &body)
}

fn graphql(rng: &mut Rng) -> InspectedRequest {
    let body = format!(
        r#"{{"operationName":"Product","query":"query Product($id: ID!) {{ product(id: $id) {{ id name price reviews(first: 5) {{ rating text }} }} }}","variables":{{"id":"{}"}}}}"#,
        rng.below(100_000)
    );
    with_body(base(rng, "POST", "/graphql"), "application/json", &body)
}

fn upload(rng: &mut Rng) -> InspectedRequest {
    let boundary = format!("----WebKitFormBoundary{}", rng.hex(16));
    let csv: String = (0..20)
        .map(|i| {
            format!(
                "{i},Widget {i},\"Blue, large\",{}.99,2024-05-0{}\r\n",
                rng.below(100),
                1 + i % 9
            )
        })
        .collect();
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQ2 inventory (final)\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"inventory.csv\"\r\nContent-Type: text/csv\r\n\r\nid,name,description,price,date\r\n{csv}--{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    with_body(base(rng, "POST", "/account/uploads"), &content_type, &body)
}

fn image_upload(rng: &mut Rng) -> InspectedRequest {
    let mut body: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    body.extend((0..2048).map(|_| (rng.next() & 0xff) as u8));
    let r = base(rng, "PUT", "/api/v1/avatars/42").header("content-type", "image/png");
    r.body(&body, 16 * 1024)
}

/// `n` benign requests, shapes in rotation.
pub fn benign(n: usize) -> Vec<InspectedRequest> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let shapes: [fn(&mut Rng) -> InspectedRequest; 8] = [
        page,
        page,
        search,
        form,
        json_api,
        graphql,
        upload,
        image_upload,
    ];
    (0..n).map(|i| shapes[i % shapes.len()](&mut rng)).collect()
}
