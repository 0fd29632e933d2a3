use crate::DomainError;

/// The levels of Chengdu's administrative and self-government hierarchy, top to bottom.
/// A village (村) is stored as a `Community` and a villager group as a `ResidentGroup`: the rules
/// treat them alike, and the label can say 村.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    City,
    District,
    Street,
    Community,
    ResidentGroup,
    Courtyard,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::City,
        Level::District,
        Level::Street,
        Level::Community,
        Level::ResidentGroup,
        Level::Courtyard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::District => "district",
            Level::Street => "street",
            Level::Community => "community",
            Level::ResidentGroup => "resident_group",
            Level::Courtyard => "courtyard",
        }
    }

    pub fn parse(text: &str) -> Result<Level, DomainError> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == text)
            .ok_or_else(|| DomainError::field("level_unknown", "level").arg("value", text))
    }

    /// Which level may sit directly under `self`. A courtyard may sit under a resident group or
    /// straight under a community (many communities have no groups).
    pub fn may_contain(self, child: Level) -> bool {
        matches!(
            (self, child),
            (Level::City, Level::District)
                | (Level::District, Level::Street)
                | (Level::Street, Level::Community)
                | (Level::Community, Level::ResidentGroup)
                | (Level::Community, Level::Courtyard)
                | (Level::ResidentGroup, Level::Courtyard)
        )
    }

    /// Whether rows of everyday work (residents, households, councils) are owned by a jurisdiction
    /// at this level. Groups and courtyards belong to their community's tenant.
    pub fn is_tenant(self) -> bool {
        self <= Level::Community
    }
}

/// Checks that a new jurisdiction may be placed under its parent.
pub fn check_parent(parent: Option<Level>, child: Level) -> Result<(), DomainError> {
    match parent {
        None if child == Level::City => Ok(()),
        None => Err(DomainError::field("jurisdiction_needs_parent", "parent_id")),
        Some(p) if p.may_contain(child) => Ok(()),
        Some(p) => Err(DomainError::field("jurisdiction_bad_parent", "parent_id")
            .arg("parent", p.as_str())
            .arg("child", child.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy_is_strict() {
        assert!(check_parent(None, Level::City).is_ok());
        assert!(check_parent(Some(Level::Community), Level::Courtyard).is_ok());
        assert!(check_parent(Some(Level::ResidentGroup), Level::Courtyard).is_ok());
        assert_eq!(
            check_parent(None, Level::Street).unwrap_err().code.0,
            "jurisdiction_needs_parent"
        );
        assert_eq!(
            check_parent(Some(Level::City), Level::Community)
                .unwrap_err()
                .code
                .0,
            "jurisdiction_bad_parent"
        );
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()).unwrap(), l);
        }
    }
}
