//! Every pipeline written down in `docs/pipelines.md` is a valid `project.pipeline` rule value, and
//! each names the steps the document says it has.

use gongzhi_domain::project::StepKind;
use gongzhi_domain::rulebook::{RuleValue, parse_value};

#[test]
fn the_documented_pipelines_are_valid_rule_values() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/pipelines.md"),
    )
    .unwrap();
    let blocks: Vec<&str> = doc
        .split("```json")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert_eq!(blocks.len(), 4, "four documented pipelines");
    let mut kinds = Vec::new();
    for b in &blocks {
        match parse_value("project.pipeline", b.trim()) {
            Ok(RuleValue::Pipeline(p)) => {
                kinds.push(p.steps.iter().map(|s| s.kind).collect::<Vec<_>>())
            }
            other => panic!("{other:?} for {b}"),
        }
    }
    // The default is the catalogue's default, byte for byte.
    assert_eq!(
        blocks[0].trim(),
        gongzhi_domain::rulebook::spec("project.pipeline")
            .unwrap()
            .default
    );
    assert!(
        kinds[1].contains(&StepKind::MidtermReview),
        "the five-step method reviews"
    );
    assert!(
        !kinds[2].contains(&StepKind::Rating),
        "the six-step reconstruction has no rating"
    );
    assert!(
        kinds[3].contains(&StepKind::Filing),
        "the district files with the street"
    );
}
