//! Pictures of money and progress: small server-rendered SVG, no JavaScript, each with its
//! words beside it (the legend is text on the page, and the picture's `aria-label` says the
//! same), so nothing is only in the picture.
//!
//! A templated SVG, not a plotting crate: every picture here is a bar of a few rectangles whose
//! widths are shares of one total. `plotters` with its SVG backend would draw the same with a
//! coordinate system, fonts and a dependency tree to build on a 2-core machine; what it would
//! add (axes, ticks, text layout) these pictures do not use, and their words belong in HTML
//! where screen readers, large text and translation reach them.

use gongzhi_domain::money::Fen;

use crate::i18n::Lang;

/// One part of a bar: its style class (colours in app.css), its words, its amount.
pub struct Part {
    pub class: &'static str,
    pub label: String,
    pub amount: String,
    fen: i64,
}

/// A bar picture and its legend.
pub struct Bar {
    /// The SVG, built from numbers only (nothing anyone typed), safe to write unescaped.
    pub svg: String,
    /// What the picture shows, in words (its accessible name).
    pub alt: String,
    pub parts: Vec<Part>,
    /// A mark across the bar (the contract's amount on the budget), if any.
    pub mark: Option<Part>,
}

const WIDTH: i64 = 300;
const HEIGHT: i64 = 28;

/// A bar of `parts` as shares of `whole` (their sum if larger), with an optional `mark` line at
/// an amount along it.
fn bar(title: String, whole: i64, parts: Vec<Part>, mark: Option<Part>) -> Bar {
    let sum: i64 = parts.iter().map(|p| p.fen.max(0)).sum();
    let whole = whole
        .max(sum)
        .max(mark.as_ref().map_or(0, |m| m.fen))
        .max(1);
    let mut svg = format!(
        r#"<svg class="bar" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" role="img" aria-hidden="true" focusable="false"><rect class="bar-whole" x="0" y="0" width="{WIDTH}" height="{HEIGHT}"/>"#
    );
    let mut x = 0i64;
    for p in parts.iter().filter(|p| p.fen > 0) {
        let w = (p.fen * WIDTH).div_euclid(whole).max(1);
        svg.push_str(&format!(
            r#"<rect class="bar-{}" x="{x}" y="0" width="{w}" height="{HEIGHT}"/>"#,
            p.class
        ));
        x += w;
    }
    if let Some(m) = &mark {
        let at = (m.fen * WIDTH).div_euclid(whole).clamp(1, WIDTH - 1);
        svg.push_str(&format!(
            r#"<line class="bar-mark" x1="{at}" y1="0" x2="{at}" y2="{HEIGHT}"/>"#
        ));
    }
    svg.push_str("</svg>");
    let mut words: Vec<String> = parts
        .iter()
        .map(|p| format!("{} {}", p.label, p.amount))
        .collect();
    if let Some(m) = &mark {
        words.push(format!("{} {}", m.label, m.amount));
    }
    Bar {
        svg,
        alt: format!("{title}: {}", words.join(", ")),
        parts,
        mark,
    }
}

fn part(lang: Lang, class: &'static str, key: &str, fen: i64) -> Part {
    Part {
        class,
        label: lang.t(key),
        amount: Fen::new(fen).to_string(),
        fen,
    }
}

/// A project's money, on its whole budget (`total`): what is paid out of the fund's reservation
/// for it, what is held for expenses being signed or paid, what is reserved and left, and the
/// part of the budget not reserved from the fund (other sources, a later tranche); the contract's
/// amount marked along it. Money out (paid) is the dark part, and its words say "paid out".
pub fn project_money(
    lang: Lang,
    total: i64,
    (reserved, paid, held): (i64, i64, i64),
    contract: Option<i64>,
) -> Bar {
    let left = (reserved - paid - held).max(0);
    let unreserved = (total - reserved).max(0);
    bar(
        lang.t_args(
            "picture-project-money",
            &[("total", Fen::new(total).to_string())],
        ),
        total,
        vec![
            part(lang, "paid", "picture-paid", paid),
            part(lang, "held", "picture-held", held),
            part(lang, "left", "picture-left", left),
            part(lang, "whole", "picture-unreserved", unreserved),
        ],
        contract.map(|c| part(lang, "mark", "picture-contract", c)),
    )
}

/// How far along its steps a project is: `done` of `steps` (its card's "第 6/10 步").
pub fn steps(lang: Lang, done: usize, steps: usize) -> Bar {
    let label = lang.t_args(
        "picture-steps",
        &[("step", done.to_string()), ("steps", steps.to_string())],
    );
    let mut b = bar(
        label.clone(),
        steps as i64,
        vec![Part {
            class: "paid",
            label: label.clone(),
            amount: String::new(),
            fen: done as i64,
        }],
        None,
    );
    b.alt = label;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(svg: &str) -> Vec<i64> {
        svg.split("width=\"")
            .skip(2)
            .map(|r| r.split('"').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn a_project_bar_is_its_shares_and_says_so_in_words() {
        // A 36,000 budget, 18,000 reserved from the fund: 10,000 paid, 8,000 being signed; the
        // contract 34,500.
        let b = project_money(
            Lang::Zh,
            36_000_00,
            (18_000_00, 10_000_00, 8_000_00),
            Some(34_500_00),
        );
        assert_eq!(widths(&b.svg), vec![83, 66, 150]);
        assert!(b.svg.contains("x1=\"287\""), "{}", b.svg);
        assert!(b.alt.contains("8,000.00"), "{}", b.alt);
        assert_eq!(b.parts.len(), 4);
        // Overspent or over-held: never a negative part, the whole grows to fit.
        let b = project_money(Lang::En, 100, (100, 80, 40), None);
        assert_eq!(widths(&b.svg), vec![200, 100]);
    }

    #[test]
    fn step_progress_counts_steps() {
        let b = steps(Lang::Zh, 6, 10);
        assert_eq!(widths(&b.svg), vec![180]);
        assert!(b.alt.contains('6') && b.alt.contains("10"));
    }
}
