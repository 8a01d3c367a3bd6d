use super::*;
use crate::documents::corpus::{self, build, deflate};

fn limits() -> Limits {
    Limits::default()
}

fn scan(bytes: &[u8]) -> Result<Scan, Refusal> {
    prescan(bytes, &limits(), &Budget::unlimited())
}

fn with_catalog(extra: &str) -> Vec<u8> {
    build(&[
        format!("<< /Type /Catalog /Pages 2 0 R {extra} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ])
}

fn nest(depth: usize) -> String {
    format!("/Deep {}1{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn ordinary_documents_pass_and_are_measured() {
    let found = scan(&corpus::plain()).unwrap();
    assert_eq!(found.objects, 4);
    assert_eq!(found.streams, 1);
    assert!(found.max_depth <= 2, "{found:?}");
    assert!(open_checked(&corpus::plain()).is_ok());
}

#[test]
fn nesting_is_refused_past_the_limit_before_parsing() {
    assert!(scan(&with_catalog(&nest(60))).is_ok());
    assert_eq!(scan(&with_catalog(&nest(65))), Err(Refusal::TooComplex));
    // Far deeper than the parser's stack could take.
    assert_eq!(
        scan(&with_catalog(&nest(1_000_000))),
        Err(Refusal::TooComplex)
    );
    let dicts = format!("/Deep {}1{}", "<< /A ".repeat(100), " >>".repeat(100));
    assert_eq!(scan(&with_catalog(&dicts)), Err(Refusal::TooComplex));
}

#[test]
fn brackets_inside_strings_comments_and_stream_data_do_not_count() {
    let noisy = format!(
        "/S ({}) /H <5b5b5b> % {}\n",
        "[".repeat(500),
        "[".repeat(500)
    );
    assert!(scan(&with_catalog(&noisy)).is_ok());
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
    ];
    let data = vec![b'['; 10_000];
    let mut s = format!("<< /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(&data);
    s.extend_from_slice(b"\nendstream");
    objects.push(s);
    assert!(scan(&build(&objects)).is_ok());
}

#[test]
fn object_streams_are_scanned_inside() {
    let inner = format!("5 0 {}1{}", "[".repeat(2_000), "]".repeat(2_000));
    let packed = deflate(inner.as_bytes());
    let mut s = format!(
        "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
        packed.len()
    )
    .into_bytes();
    s.extend_from_slice(&packed);
    s.extend_from_slice(b"\nendstream");
    let doc = build(&[b"<< /Type /Catalog >>".to_vec(), s]);
    assert_eq!(scan(&doc), Err(Refusal::TooComplex));
}

#[test]
fn content_streams_are_checked_before_decoding() {
    assert_eq!(check_depth(b"BT [(a) 10 (b)] TJ ET", 64), Ok(1));
    let deep = format!("BT {}(a){} TJ ET", "[".repeat(5_000), "]".repeat(5_000));
    assert_eq!(check_depth(deep.as_bytes(), 64), Err(Refusal::TooComplex));
    // Inline image data may hold any byte.
    let inline = format!("BI /W 1 /H 1 ID {} EI", "[".repeat(500));
    assert_eq!(check_depth(inline.as_bytes(), 64), Ok(0));
}

#[test]
fn streams_inflating_past_the_limits_are_refused() {
    let small = Limits {
        max_stream_bytes: 1 << 20,
        max_total_bytes: 3 << 20,
        ..Limits::default()
    };
    let stream_of = |n: usize| {
        let packed = deflate(&vec![0u8; n]);
        let mut s = format!(
            "<< /Filter /FlateDecode /Length {} >>\nstream\n",
            packed.len()
        )
        .into_bytes();
        s.extend_from_slice(&packed);
        s.extend_from_slice(b"\nendstream");
        s
    };
    let one = |n: usize| build(&[b"<< /Type /Catalog >>".to_vec(), stream_of(n)]);
    let budget = Budget::unlimited();
    assert_eq!(
        prescan(&one(1 << 20), &small, &budget).unwrap().inflated,
        1 << 20
    );
    assert_eq!(
        prescan(&one((1 << 20) + 1), &small, &budget),
        Err(Refusal::TooLarge)
    );
    let mut objects = vec![b"<< /Type /Catalog >>".to_vec()];
    objects.extend((0..4).map(|_| stream_of(1 << 20)));
    assert_eq!(
        prescan(&build(&objects), &small, &budget),
        Err(Refusal::TooLarge)
    );
}

#[test]
fn filter_chains_and_unknown_filters_are_refused() {
    let with_filter = |f: &str| {
        build(&[
            b"<< /Type /Catalog >>".to_vec(),
            format!("<< /Filter {f} /Length 2 >>\nstream\nxx\nendstream").into_bytes(),
        ])
    };
    assert_eq!(
        scan(&with_filter("[/FlateDecode /FlateDecode]")),
        Err(Refusal::FilterChain)
    );
    assert_eq!(
        scan(&with_filter("[/ASCII85Decode /FlateDecode]")),
        Err(Refusal::FilterChain)
    );
    assert_eq!(scan(&with_filter("/Bogus")), Err(Refusal::FilterChain));
    assert!(scan(&with_filter("[/DCTDecode]")).is_ok());
    assert!(scan(&with_filter("/DCTDecode")).is_ok());
}

#[test]
fn scripts_and_launch_actions_are_refused_even_escaped() {
    for action in [
        "/OpenAction << /S /JavaScript /JS (x) >>",
        "/OpenAction << /S /J#61vaScript >>",
        "/OpenAction << /S /Launch /F (calc) >>",
    ] {
        assert_eq!(
            scan(&with_catalog(action)),
            Err(Refusal::Scripted),
            "{action}"
        );
    }
    assert!(scan(&with_catalog("/Lang (JavaScript)")).is_ok());
}

#[test]
fn object_counts_are_bounded() {
    let few = Limits {
        max_objects: 10,
        ..Limits::default()
    };
    let mut objects = vec![b"<< /Type /Catalog >>".to_vec()];
    objects.extend((0..20).map(|_| b"0".to_vec()));
    assert_eq!(
        prescan(&build(&objects), &few, &Budget::unlimited()),
        Err(Refusal::TooComplex)
    );
}

#[test]
fn a_cancelled_or_late_budget_stops_the_work() {
    let budget = Budget::unlimited();
    budget.cancel();
    assert_eq!(
        prescan(&corpus::plain(), &limits(), &budget),
        Err(Refusal::Abandoned)
    );
    let late = Budget::new(Duration::ZERO);
    std::thread::sleep(Duration::from_millis(2));
    assert_eq!(
        prescan(&corpus::plain(), &limits(), &late),
        Err(Refusal::TooSlow)
    );
}

#[test]
fn the_corpus_has_more_than_two_hundred_cases() {
    let all = corpus::all();
    assert!(all.len() >= 200, "{}", all.len());
    let mut names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all.len(), "case names are unique");
}

#[test]
fn parse_work_is_bounded_by_objects_times_size() {
    let pages = |n: usize| {
        let mut objects = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()];
        let kids: String = (0..n).map(|i| format!("{} 0 R ", i + 3)).collect();
        objects.push(format!("<< /Type /Pages /Kids [{kids}] /Count {n} >>").into_bytes());
        objects.extend((0..n).map(|_| b"<< /Type /Page /Parent 2 0 R >>".to_vec()));
        build(&objects)
    };
    assert!(scan(&pages(4_000)).is_ok());
    assert_eq!(scan(&pages(50_000)), Err(Refusal::TooComplex));
}

/// Writes the hostile corpus as files (fuzzing seeds):
/// `PDF_CORPUS_OUT=dir cargo test -p server --lib write_hostile_corpus -- --ignored`.
#[test]
#[ignore]
fn write_hostile_corpus() {
    let dir = std::env::var("PDF_CORPUS_OUT").expect("PDF_CORPUS_OUT");
    std::fs::create_dir_all(&dir).unwrap();
    for case in corpus::all() {
        // Seeds stay small; the large bombs are covered by the upload test.
        if case.bytes.len() <= 1 << 20 {
            std::fs::write(format!("{dir}/{}.pdf", case.name), &case.bytes).unwrap();
        }
    }
}
