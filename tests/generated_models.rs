//! The checked-in crate's models used the way applications use them.

use graph_runtime::Nullable;
use graph_sdk::models::{DeviceAndAppManagementAssignmentFilterType, MobileAppProvisioningConfigGroupAssignment};
use serde_json::json;

#[test]
fn patch_body_keeps_unchanged_cleared_and_set_apart() {
    let body = MobileAppProvisioningConfigGroupAssignment {
        target_group_id: Nullable::Null,
        id: Nullable::Value("a1".into()),
        ..Default::default()
    };
    // `id` is set, `targetGroupId` cleared, everything else left unchanged (absent).
    assert_eq!(serde_json::to_value(&body).unwrap(), json!({"id": "a1", "targetGroupId": null}));

    let read: MobileAppProvisioningConfigGroupAssignment =
        serde_json::from_value(json!({"targetGroupId": null, "extra": 1})).unwrap();
    assert_eq!(read.target_group_id, Nullable::Null);
    assert_eq!(read.id, Nullable::Absent);
    assert_eq!(serde_json::to_value(&read).unwrap(), json!({"targetGroupId": null, "extra": 1}));
}

#[test]
fn unknown_enum_values_survive_a_round_trip() {
    let known: DeviceAndAppManagementAssignmentFilterType = serde_json::from_value(json!("include")).unwrap();
    assert_eq!(known, DeviceAndAppManagementAssignmentFilterType::Include);
    let future: DeviceAndAppManagementAssignmentFilterType = serde_json::from_value(json!("includeAll")).unwrap();
    assert_eq!(future, DeviceAndAppManagementAssignmentFilterType::Unrecognized("includeAll".into()));
    assert_eq!(serde_json::to_value(&future).unwrap(), json!("includeAll"));
}
