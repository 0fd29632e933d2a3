//! For the tests of the layers above: a fresh database on the backend under test
//! (`GONGZHI_TEST_BACKEND`), so that they set up a world through the app alone.

pub use gongzhi_store::testing::fresh_db;
