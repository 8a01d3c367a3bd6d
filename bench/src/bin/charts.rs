//! Draws one SVG chart per benchmark scenario from the tables that
//! `scripts/bench` wrote in bench/results (intake, list, upload, first
//! load), each portal figure beside its baseline or target.
//!
//!   charts bench/results [font.ttf]

use std::error::Error;
use std::path::Path;

use plotters::prelude::*;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const PORTAL: RGBColor = RGBColor(37, 99, 235);
const BASELINE: RGBColor = RGBColor(156, 163, 175);
const THIRD: RGBColor = RGBColor(22, 163, 74);
const TARGET: RGBColor = RGBColor(220, 38, 38);

/// The rows of the markdown tables in `text` (header and rule left out).
fn rows(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('*').trim_matches('`').to_string())
            .collect();
        if !in_table {
            in_table = true; // the header
            continue;
        }
        if cells.iter().all(|c| c.chars().all(|ch| "-: ".contains(ch))) {
            continue; // the rule under the header
        }
        out.push(cells);
    }
    out
}

/// The leading number of a cell ("2 / 5" → 2, "841117 (26.6% …)" → 841117).
fn number(cell: &str) -> f64 {
    let lead: String = cell
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    lead.parse().unwrap_or(0.0)
}

struct Series {
    name: &'static str,
    colour: RGBColor,
    values: Vec<f64>,
}

/// Grouped bars: one group per label, one bar per series; `lines` are
/// horizontal targets.
fn bars(
    path: &Path,
    title: &str,
    y_label: &str,
    labels: &[String],
    series: &[Series],
    lines: &[(&str, f64)],
) -> Result<()> {
    let width = (160 + 70 * labels.len() * series.len().max(1)).clamp(640, 1600) as u32;
    let root = SVGBackend::new(path, (width, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let top = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .chain(lines.iter().map(|l| l.1))
        .fold(1.0f64, f64::max)
        * 1.4;
    let n = labels.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(70)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n, 0f64..top)?;
    let names = labels.to_vec();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.floor() as usize;
            if (x - x.floor() - 0.5).abs() < 0.01 && i < names.len() {
                names[i].clone()
            } else {
                String::new()
            }
        })
        .x_label_style(("sans-serif", 11))
        .y_desc(y_label)
        .draw()?;
    let k = series.len() as f64;
    for (j, s) in series.iter().enumerate() {
        let colour = s.colour;
        chart
            .draw_series(s.values.iter().enumerate().map(|(i, v)| {
                let left = i as f64 + 0.1 + 0.8 * j as f64 / k;
                let right = left + 0.8 / k;
                Rectangle::new([(left, 0.0), (right, *v)], colour.filled())
            }))?
            .label(s.name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    for (name, y) in lines {
        chart
            .draw_series(LineSeries::new(
                [(0.0, *y), (n, *y)],
                TARGET.stroke_width(2),
            ))?
            .label(format!("{name} ({y})"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], TARGET.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperMiddle)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .draw()?;
    root.present()?;
    Ok(())
}

fn intake(dir: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dir.join("1-intake.md"))?;
    let rows = rows(&text);
    let labels: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    let series = [
        Series {
            name: "portal (group commit)",
            colour: PORTAL,
            values: rows.iter().map(|r| number(&r[1])).collect(),
        },
        Series {
            name: "bare one-row-per-insert route",
            colour: BASELINE,
            values: rows.iter().map(|r| number(&r[3])).collect(),
        },
    ];
    bars(
        &dir.join("1-intake.svg"),
        "Postback intake, 20 at a time",
        "requests per second",
        &labels,
        &series,
        &[("SQLite target", 5000.0), ("PostgreSQL target", 8000.0)],
    )
}

fn list(dir: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dir.join("2-list.md"))?;
    let rows = rows(&text);
    let mut backends: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    backends.dedup();
    for backend in backends {
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == backend).collect();
        let mut views: Vec<String> = mine.iter().map(|r| r[1].clone()).collect();
        views.dedup();
        let at = |clients: &str| -> Vec<f64> {
            views
                .iter()
                .map(|v| {
                    mine.iter()
                        .find(|r| &r[1] == v && r[2] == clients)
                        .map_or(0.0, |r| number(&r[3]))
                })
                .collect()
        };
        let series = [
            Series {
                name: "1 client",
                colour: BASELINE,
                values: at("1"),
            },
            Series {
                name: "8 clients",
                colour: THIRD,
                values: at("8"),
            },
            Series {
                name: "32 clients",
                colour: PORTAL,
                values: at("32"),
            },
        ];
        bars(
            &dir.join(format!("2-list-{backend}.svg")),
            &format!("The requests list on {backend} (portal; bare page in the table)"),
            "requests per second",
            &views,
            &series,
            &[],
        )?;
    }
    Ok(())
}

fn upload(dir: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dir.join("3-upload.md"))?;
    let rows = rows(&text);
    let labels: Vec<String> = rows.iter().map(|r| format!("{} at once", r[0])).collect();
    let series = [
        Series {
            name: "server RSS growth, MiB",
            colour: PORTAL,
            values: rows.iter().map(|r| number(&r[4])).collect(),
        },
        Series {
            name: "one file, MiB",
            colour: BASELINE,
            values: rows.iter().map(|r| number(&r[5])).collect(),
        },
    ];
    bars(
        &dir.join("3-upload.svg"),
        "50 MB uploads: peak memory growth",
        "MiB",
        &labels,
        &series,
        &[("one upload target", 100.0), ("ten at once limit", 500.0)],
    )
}

fn first_load(dir: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dir.join("first-load.md"))?;
    let rows: Vec<Vec<String>> = rows(&text)
        .into_iter()
        .filter(|r| r[0] != "total")
        .collect();
    let labels: Vec<String> = rows
        .iter()
        .map(|r| r[0].rsplit('/').next().unwrap_or(&r[0]).to_string())
        .collect();
    let kib = |col: usize| -> Vec<f64> { rows.iter().map(|r| number(&r[col]) / 1024.0).collect() };
    let series = [
        Series {
            name: "uncompressed",
            colour: BASELINE,
            values: kib(1),
        },
        Series {
            name: "as sent",
            colour: PORTAL,
            values: kib(2),
        },
        Series {
            name: "repeat visit",
            colour: THIRD,
            values: kib(5),
        },
    ];
    bars(
        &dir.join("first-load.svg"),
        "First load of the sign-in page",
        "KiB",
        &labels,
        &series,
        &[("wasm target", 300.0)],
    )
}

fn instances(dir: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dir.join("4-instances.md"))?;
    let rows = rows(&text);
    let labels: Vec<String> = rows.iter().map(|r| format!("{} instance(s)", r[0])).collect();
    let series = [Series {
        name: "postbacks stored per second",
        colour: PORTAL,
        values: rows.iter().map(|r| number(&r[1])).collect(),
    }];
    bars(
        &dir.join("4-instances.svg"),
        "Intake through a balancer, PostgreSQL",
        "requests per second",
        &labels,
        &series,
        &[],
    )
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "bench/results".into());
    let font = args
        .next()
        .unwrap_or_else(|| "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf".into());
    let bytes: &'static [u8] = Box::leak(std::fs::read(&font)?.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| format!("{font} is not a font"))?;
    let dir = Path::new(&dir);
    for (name, draw) in [
        ("1-intake.md", intake as fn(&Path) -> Result<()>),
        ("2-list.md", list),
        ("3-upload.md", upload),
        ("first-load.md", first_load),
        ("4-instances.md", instances),
    ] {
        if dir.join(name).exists() {
            draw(dir)?;
            println!("chart drawn from {name}");
        }
    }
    Ok(())
}
