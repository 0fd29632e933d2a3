use serde_json::Value as Json;
use uuid::Uuid;

use crate::schema::ColType;

/// A value bound to or read from SQL. Nulls carry their type, because PostgreSQL needs a typed
/// NULL parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Id(Option<Uuid>),
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

impl Value {
    pub fn null(ty: ColType) -> Value {
        match ty {
            ColType::Id => Value::Id(None),
            ColType::Int => Value::Int(None),
            ColType::Text => Value::Text(None),
            ColType::Bool => Value::Bool(None),
            ColType::Bytes => Value::Bytes(None),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Value::Id(None)
                | Value::Int(None)
                | Value::Text(None)
                | Value::Bool(None)
                | Value::Bytes(None)
        )
    }

    /// The JSON form used by exports and audit images: ids as hyphenated strings, bytes as hex.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Id(Some(v)) => Json::String(v.hyphenated().to_string()),
            Value::Int(Some(v)) => Json::from(*v),
            Value::Text(Some(v)) => Json::String(v.clone()),
            Value::Bool(Some(v)) => Json::Bool(*v),
            Value::Bytes(Some(v)) => Json::String(hex::encode(v)),
            _ => Json::Null,
        }
    }

    /// Reads the JSON form back for a column of type `ty`; `None` when it does not fit.
    pub fn from_json(ty: ColType, json: &Json) -> Option<Value> {
        if json.is_null() {
            return Some(Value::null(ty));
        }
        Some(match ty {
            ColType::Id => Value::Id(Some(Uuid::parse_str(json.as_str()?).ok()?)),
            ColType::Int => Value::Int(Some(json.as_i64()?)),
            ColType::Text => Value::Text(Some(json.as_str()?.to_string())),
            ColType::Bool => Value::Bool(Some(json.as_bool()?)),
            ColType::Bytes => Value::Bytes(Some(hex::decode(json.as_str()?).ok()?)),
        })
    }

    /// The text a personal-data hash is taken over.
    pub fn hash_input(&self) -> Option<String> {
        match self.to_json() {
            Json::Null => None,
            Json::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    }
}

impl From<Uuid> for Value {
    fn from(v: Uuid) -> Self {
        Value::Id(Some(v))
    }
}
impl From<Option<Uuid>> for Value {
    fn from(v: Option<Uuid>) -> Self {
        Value::Id(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_string))
    }
}
/// Statuses and kinds are stored as their word.
use gongzhi_domain::lifecycle::*;
use gongzhi_domain::notification::{Channel, DeliveryStatus, MessageKind, Subject};

macro_rules! words_are_text {
    ($($t:ident),+) => {$(
        impl From<$t> for Value {
            fn from(w: $t) -> Self {
                Value::Text(Some(w.as_str().to_string()))
            }
        }
    )+};
}

words_are_text!(
    MeetingStatus,
    MotionStatus,
    BudgetStatus,
    ExpenseStatus,
    NeedStatus,
    ProjectStatus,
    ClaimStatus,
    BallotBoxStatus,
    CallStatus,
    ContractStatus,
    CouncilKind,
    ElectionKind,
    ItemKind,
    Subject,
    MessageKind,
    Channel,
    DeliveryStatus
);

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(Some(v))
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(Some(v))
    }
}

/// One fetched row. Accessors fail with a store error rather than panic when a column has an
/// unexpected type, which can only happen through a programming error.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn get(&self, i: usize) -> Result<&Value, crate::StoreError> {
        self.0.get(i).ok_or(crate::StoreError::Decode(i))
    }
    pub fn id(&self, i: usize) -> Result<Uuid, crate::StoreError> {
        self.opt_id(i)?.ok_or(crate::StoreError::Decode(i))
    }
    pub fn opt_id(&self, i: usize) -> Result<Option<Uuid>, crate::StoreError> {
        match self.get(i)? {
            Value::Id(v) => Ok(*v),
            _ => Err(crate::StoreError::Decode(i)),
        }
    }
    pub fn int(&self, i: usize) -> Result<i64, crate::StoreError> {
        self.opt_int(i)?.ok_or(crate::StoreError::Decode(i))
    }
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, crate::StoreError> {
        match self.get(i)? {
            Value::Int(v) => Ok(*v),
            _ => Err(crate::StoreError::Decode(i)),
        }
    }
    pub fn text(&self, i: usize) -> Result<String, crate::StoreError> {
        self.opt_text(i)?.ok_or(crate::StoreError::Decode(i))
    }
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, crate::StoreError> {
        match self.get(i)? {
            Value::Text(v) => Ok(v.clone()),
            _ => Err(crate::StoreError::Decode(i)),
        }
    }
    /// A closed-vocabulary column (a status or kind) as its enum; a word outside the vocabulary
    /// is corrupt data, not a decode slip.
    pub fn word<V: gongzhi_domain::vocabulary::Vocabulary>(
        &self,
        i: usize,
    ) -> Result<V, crate::StoreError> {
        match self.get(i)? {
            Value::Text(Some(w)) => V::parse(w).ok_or_else(|| crate::StoreError::UnknownWord {
                column: V::NAME,
                word: w.clone(),
            }),
            _ => Err(crate::StoreError::Decode(i)),
        }
    }
    /// Moves a text value out of the row (no copy), for hot paths that consume the row.
    pub fn take_text(&mut self, i: usize) -> Result<String, crate::StoreError> {
        match self.0.get_mut(i) {
            Some(Value::Text(v)) => v.take().ok_or(crate::StoreError::Decode(i)),
            _ => Err(crate::StoreError::Decode(i)),
        }
    }
    pub fn bool(&self, i: usize) -> Result<bool, crate::StoreError> {
        match self.get(i)? {
            Value::Bool(Some(v)) => Ok(*v),
            _ => Err(crate::StoreError::Decode(i)),
        }
    }
    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, crate::StoreError> {
        match self.get(i)? {
            Value::Bytes(Some(v)) => Ok(v.clone()),
            _ => Err(crate::StoreError::Decode(i)),
        }
    }
}
