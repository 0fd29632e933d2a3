//! Conventions (居民公约、院落公约): versioned texts. Residents read what changed between two
//! versions as a line diff.

/// One line of a diff between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// A line diff by longest common subsequence. Conventions are short (tens of lines), so the
/// quadratic table is small; inputs over 2,000 lines each fall back to "all removed, all added".
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > 2_000 || b.len() > 2_000 {
        return a
            .iter()
            .map(|l| DiffLine::Removed((*l).into()))
            .chain(b.iter().map(|l| DiffLine::Added((*l).into())))
            .collect();
    }
    // lcs[i][j] = length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(a.len() + b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(DiffLine::Same(a[i].into()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(DiffLine::Removed(a[i].into()));
            i += 1;
        } else {
            out.push(DiffLine::Added(b[j].into()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| DiffLine::Removed((*l).into())));
    out.extend(b[j..].iter().map(|l| DiffLine::Added((*l).into())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_changed_article() {
        let v1 = "第一条 爱护院落环境。\n第五条 车辆有序停放。\n第六条 邻里互助。";
        let v2 =
            "第一条 爱护院落环境。\n第五条 电动自行车停放在车棚，禁止进楼充电。\n第六条 邻里互助。";
        assert_eq!(
            diff_lines(v1, v2),
            vec![
                DiffLine::Same("第一条 爱护院落环境。".into()),
                DiffLine::Removed("第五条 车辆有序停放。".into()),
                DiffLine::Added("第五条 电动自行车停放在车棚，禁止进楼充电。".into()),
                DiffLine::Same("第六条 邻里互助。".into()),
            ]
        );
    }

    proptest! {
        /// Keeping the old side of a diff gives the old text; keeping the new side gives the new.
        #[test]
        fn a_diff_rebuilds_both_versions(old in proptest::collection::vec("[abc]", 0..12), new in proptest::collection::vec("[abc]", 0..12)) {
            let (o, n) = (old.join("\n"), new.join("\n"));
            let d = diff_lines(&o, &n);
            let back_old: Vec<String> = d.iter().filter_map(|l| match l { DiffLine::Same(s) | DiffLine::Removed(s) => Some(s.clone()), _ => None }).collect();
            let back_new: Vec<String> = d.iter().filter_map(|l| match l { DiffLine::Same(s) | DiffLine::Added(s) => Some(s.clone()), _ => None }).collect();
            prop_assert_eq!(back_old, o.lines().map(str::to_string).collect::<Vec<_>>());
            prop_assert_eq!(back_new, n.lines().map(str::to_string).collect::<Vec<_>>());
        }
    }
}
