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

#[test]
fn polymorphic_property_decodes_into_the_derived_type_its_odata_type_names() {
    use graph_sdk::models::{AnyDeviceAndAppManagementAssignmentTarget as Target, GroupAssignmentTarget};

    let group = json!({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"});
    let Target::GroupAssignmentTarget(target) = serde_json::from_value(group.clone()).unwrap() else {
        panic!("expected the group target variant")
    };
    assert_eq!(target.group_id.as_deref(), Some("g1"));
    assert_eq!(serde_json::to_value(Target::GroupAssignmentTarget(target)).unwrap(), group);

    // A derived type this crate does not know keeps the base properties and the rest.
    let future = json!({"@odata.type": "#microsoft.graph.futureTarget", "deviceAndAppManagementAssignmentFilterId": "f", "x": 1});
    let decoded: Target = serde_json::from_value(future.clone()).unwrap();
    assert!(
        matches!(&decoded, Target::Unrecognized(base) if base.device_and_app_management_assignment_filter_id.as_deref() == Some("f"))
    );
    assert_eq!(serde_json::to_value(&decoded).unwrap(), future);

    // Built in code, a derived value is written with its @odata.type.
    let built = Target::GroupAssignmentTarget(Box::new(GroupAssignmentTarget {
        group_id: Some("g2".into()),
        ..Default::default()
    }));
    assert_eq!(
        serde_json::to_value(built).unwrap(),
        json!({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g2"})
    );
}
