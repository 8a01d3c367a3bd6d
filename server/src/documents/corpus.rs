//! A corpus of adversarial PDFs: what an attacker (or a broken scanner)
//! might upload. Each entry is small to keep, and is made here rather than
//! stored so the classes stay readable. Used by the hostile-upload test and
//! as seeds for the fuzz targets (`scripts/fuzz`).

use std::io::Write;

/// One hostile file: a name saying what it tries, and its bytes.
pub struct Case {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn case(name: impl Into<String>, bytes: Vec<u8>) -> Case {
    Case {
        name: name.into(),
        bytes,
    }
}

/// Builds a PDF from numbered object bodies (1 is the catalog), with a
/// correct cross-reference table.
pub fn build(objects: &[Vec<u8>]) -> Vec<u8> {
    build_with_trailer(objects, b"")
}

fn build_with_trailer(objects: &[Vec<u8>], extra_trailer: &[u8]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(out, "trailer\n<< /Size {} /Root 1 0 R ", objects.len() + 1).unwrap();
    out.extend_from_slice(extra_trailer);
    write!(out, ">>\nstartxref\n{xref}\n%%EOF\n").unwrap();
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `n` bytes of zeros, deflated, without holding them in memory.
fn deflated_zeros(n: usize) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        e.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    e.finish().unwrap()
}

/// A plain one-page document with `content` as the page's (raw) content.
fn one_page(content_stream: Vec<u8>) -> Vec<u8> {
    build(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        content_stream,
    ])
}

/// A well-formed one-page document (the base the mutations start from).
pub fn plain() -> Vec<u8> {
    one_page(stream(
        "",
        b"BT /F1 12 Tf 72 720 Td ({{Signer1}} Hello) Tj ET",
    ))
}

fn nested(open: &str, close: &str, depth: usize) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + 8);
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push('1');
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

/// A document whose catalog holds `value` under `/Deep`.
fn catalog_with(value: &str) -> Vec<u8> {
    let mut objects = plain_objects();
    objects[0] = format!("<< /Type /Catalog /Pages 2 0 R /Deep {value} >>").into_bytes();
    build(&objects)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// An object stream holding `inner` as object 5, compressed or not.
fn object_stream(inner: &str, compress: bool) -> Vec<u8> {
    let body = format!("5 0 {inner}");
    let (filter, data) = if compress {
        ("/Filter /FlateDecode", deflate(body.as_bytes()))
    } else {
        ("", body.clone().into_bytes())
    };
    build(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        stream(&format!("/Type /ObjStm /N 1 /First 4 {filter}"), &data),
    ])
}

fn pages(n: usize) -> Vec<u8> {
    let mut objects = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()];
    let kids: String = (0..n).map(|i| format!("{} 0 R ", i + 3)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{kids}] /Count {n} >>").into_bytes());
    for _ in 0..n {
        objects.push(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec());
    }
    build(&objects)
}

/// A small deterministic generator for the mutations.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Every case: the classes of the attacks seen, then mutations of a plain file.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    // Nesting, in the catalog, in object streams and in page content.
    for depth in [65, 100, 512, 1_000, 10_000, 200_000] {
        cases.push(case(
            format!("arrays-{depth}"),
            catalog_with(&nested("[", "]", depth)),
        ));
        cases.push(case(
            format!("dicts-{depth}"),
            catalog_with(&nested("<< /A ", " >>", depth)),
        ));
        cases.push(case(
            format!("mixed-{depth}"),
            catalog_with(&nested("[<< /A ", ">>]", depth / 2 + 1)),
        ));
        cases.push(case(
            format!("objstm-raw-{depth}"),
            object_stream(&nested("[", "]", depth), false),
        ));
        cases.push(case(
            format!("objstm-flate-{depth}"),
            object_stream(&nested("[", "]", depth), true),
        ));
        let content = format!("BT {} Tj ET", nested("[", "]", depth));
        cases.push(case(
            format!("content-{depth}"),
            one_page(stream("/Filter /FlateDecode", &deflate(content.as_bytes()))),
        ));
    }
    // Strings nested in parentheses, and unterminated ones.
    for depth in [200, 100_000] {
        cases.push(case(
            format!("parens-{depth}"),
            catalog_with(&format!("({})", nested("(", ")", depth))),
        ));
    }
    cases.push(case("string-unterminated", catalog_with("(never closed")));
    cases.push(case("hex-unterminated", catalog_with("<41424344")));
    // Decompression bombs.
    let bomb = deflated_zeros(80 << 20);
    cases.push(case(
        "bomb-80mb-content",
        one_page(stream("/Filter /FlateDecode", &bomb)),
    ));
    cases.push(case(
        "bomb-80mb-objstm",
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
            stream("/Type /ObjStm /N 1 /First 0 /Filter /FlateDecode", &bomb),
        ]),
    ));
    let part = deflated_zeros(60 << 20);
    let mut many = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ];
    for _ in 0..10 {
        many.push(stream("/Filter /FlateDecode", &part));
    }
    cases.push(case("bomb-10x60mb", build(&many)));
    let double = deflate(&deflate(&vec![0u8; 8 << 20]));
    cases.push(case(
        "double-flate",
        one_page(stream("/Filter [/FlateDecode /FlateDecode]", &double)),
    ));
    cases.push(case(
        "chain-a85-flate",
        one_page(stream("/Filter [/ASCII85Decode /FlateDecode]", b"z~>")),
    ));
    cases.push(case(
        "unknown-filter",
        one_page(stream("/Filter /Bogus", b"xx")),
    ));
    cases.push(case(
        "indirect-filter",
        one_page(stream("/Filter 9 0 R", b"xx")),
    ));
    cases.push(case(
        "bomb-length-lies",
        one_page(stream("/Length 5 /Filter /FlateDecode", &bomb)),
    ));
    let lzw = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
        .encode(&vec![0u8; 80 << 20])
        .unwrap_or_default();
    cases.push(case(
        "bomb-lzw",
        one_page(stream("/Filter /LZWDecode", &lzw)),
    ));
    cases.push(case(
        "bomb-a85-z",
        one_page(stream("/Filter /ASCII85Decode", &vec![b'z'; 20 << 20])),
    ));
    // Many pages and huge page counts.
    cases.push(case("pages-4000", pages(4_000)));
    cases.push(case("pages-5001", pages(5_001)));
    cases.push(case("pages-50000", pages(50_000)));
    for count in ["999999999", "-1", "1e300", "18446744073709551616"] {
        cases.push(case(
            format!("count-{count}"),
            build(&[
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                format!("<< /Type /Pages /Kids [3 0 R] /Count {count} >>").into_bytes(),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
            ]),
        ));
    }
    // Reference loops.
    cases.push(case(
        "loop-kids",
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>".to_vec(),
            b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>".to_vec(),
        ]),
    ));
    cases.push(case(
        "loop-parent",
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R >>".to_vec(),
        ]),
    ));
    cases.push(case(
        "loop-contents",
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            b"5 0 R".to_vec(),
            b"4 0 R".to_vec(),
        ]),
    ));
    cases.push(case(
        "loop-resources",
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources 4 0 R >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox 5 0 R /Resources 4 0 R >>".to_vec(),
            b"<< /Font 4 0 R /XObject 4 0 R >>".to_vec(),
            b"5 0 R".to_vec(),
        ]),
    ));
    cases.push(case(
        "loop-length",
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            b"<< /Length 4 0 R >>\nstream\nBT ET\nendstream".to_vec(),
        ]),
    ));
    cases.push(case(
        "self-catalog",
        build(&[b"<< /Type /Catalog /Pages 1 0 R /Kids [1 0 R] >>".to_vec()]),
    ));
    // Scripts and launch actions.
    for (label, action) in [
        (
            "openaction-js",
            "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        ),
        (
            "aa-js",
            "/AA << /O << /S /JavaScript /JS (app.alert(1)) >> >>",
        ),
        (
            "names-js",
            "/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>",
        ),
        ("launch", "/OpenAction << /S /Launch /F (calc.exe) >>"),
        (
            "escaped-js",
            "/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
        ),
    ] {
        cases.push(case(label, catalog_with(action)));
    }
    cases.push(case(
        "objstm-js",
        object_stream("<< /S /JavaScript /JS (x) >>", true),
    ));
    // Encrypted variants.
    for (label, dict) in [
        ("encrypt-rc4", "<< /Filter /Standard /V 2 /R 3 /Length 128 /O (x) /U (y) /P -4 >>"),
        ("encrypt-aes", "<< /Filter /Standard /V 4 /R 4 /CF << /StdCF << /CFM /AESV2 >> >> /O (x) /U (y) /P -4 >>"),
        ("encrypt-aes256", "<< /Filter /Standard /V 5 /R 6 /O (x) /U (y) /P -4 >>"),
        ("encrypt-pubsec", "<< /Filter /Adobe.PubSec /V 4 >>"),
        ("encrypt-garbage", "(not a dictionary)"),
    ] {
        let trailer = format!("/Encrypt {dict} ");
        cases.push(case(label, build_with_trailer(&plain_objects(), trailer.as_bytes())));
    }
    cases.push(case(
        "encrypt-escaped-name",
        build_with_trailer(&plain_objects(), b"/Encr#79pt << /V 2 >> "),
    ));
    // Broken structure.
    let base = plain();
    for cut in [
        9, 20, 40, 60, 80, 100, 120, 150, 180, 200, 230, 260, 300, 340, 380, 420,
    ] {
        if cut < base.len() {
            cases.push(case(format!("truncated-{cut}"), base[..cut].to_vec()));
        }
    }
    let xref_at = find(&base, b"xref").unwrap();
    cases.push(case("xref-missing", base[..xref_at].to_vec()));
    let mut wrong = base.clone();
    let sx = find(&wrong, b"startxref\n").unwrap() + 10;
    wrong.splice(sx..sx + 3, b"999999999".iter().copied());
    cases.push(case("startxref-past-end", wrong));
    let mut zero = base.clone();
    let sx = find(&zero, b"startxref\n").unwrap() + 10;
    zero.splice(sx..sx + 3, b"0".iter().copied());
    cases.push(case("startxref-zero", zero));
    let mut offsets = base.clone();
    for b in offsets[xref_at..].iter_mut() {
        if b.is_ascii_digit() {
            *b = b'7';
        }
    }
    cases.push(case("xref-garbage-offsets", offsets));
    cases.push(case(
        "xref-huge-size",
        String::from_utf8_lossy(&base)
            .replace("/Size 5", "/Size 2147483647")
            .into_bytes(),
    ));
    cases.push(case(
        "xref-negative",
        String::from_utf8_lossy(&base)
            .replace("xref\n0 5", "xref\n-5 -5")
            .into_bytes(),
    ));
    cases.push(case(
        "no-root",
        String::from_utf8_lossy(&base)
            .replace("/Root 1 0 R", "")
            .into_bytes(),
    ));
    cases.push(case(
        "root-not-dict",
        String::from_utf8_lossy(&base)
            .replace("/Root 1 0 R", "/Root 99 0 R")
            .into_bytes(),
    ));
    cases.push(case("header-only", b"%PDF-1.7\n".to_vec()));
    cases.push(case(
        "header-garbage",
        b"%PDF-1.7\n\xff\xfe\x00\x01garbage".to_vec(),
    ));
    cases.push(case(
        "stream-no-end",
        b"%PDF-1.7\n1 0 obj\n<< /Length 10 >>\nstream\nabc".to_vec(),
    ));
    cases.push(case("huge-number", catalog_with(&"9".repeat(100_000))));
    cases.push(case(
        "huge-name",
        catalog_with(&format!("/{}", "A".repeat(200_000))),
    ));
    cases.push(case("many-objects", {
        let mut objects = plain_objects();
        objects.extend((0..600_000).map(|_| b"0".to_vec()));
        build(&objects)
    }));
    // Mutations of a plain file: flipped, dropped and duplicated bytes.
    let mut rng = Lcg(0x5eed);
    for i in 0..110 {
        let mut bytes = base.clone();
        let edits = 1 + (rng.next() % 8) as usize;
        for _ in 0..edits {
            let at = (rng.next() as usize) % bytes.len();
            match rng.next() % 4 {
                0 => bytes[at] ^= 1 << (rng.next() % 8),
                1 => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, b"[<(/%>)]"[(rng.next() % 8) as usize]),
                _ => bytes[at] = b"0123456789 RobjstreamEI"[(rng.next() % 23) as usize],
            }
        }
        cases.push(case(format!("mutated-{i:03}"), bytes));
    }
    cases
}

/// The bytes of the case called `name` (panics on an unknown name: for tests).
pub fn named(name: &str) -> Vec<u8> {
    all()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no corpus case {name}"))
        .bytes
}

fn plain_objects() -> Vec<Vec<u8>> {
    vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream("", b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"),
    ]
}
