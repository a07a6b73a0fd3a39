//! rtspeek-tests: test support shared by the workspace's tests.
