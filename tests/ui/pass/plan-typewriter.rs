//! Tables checked against Segment tracking plans in the formats Typewriter saves: the Public
//! API's (Typewriter 8 and later) and the Config API's (Typewriter 7).

#![deny(warnings)]

pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/typewriter-8-plan.json")]
    // The plan's other events are sent as partner-defined events, knowingly.
    #[allow(deprecated)]
    mod public_api {
        events {
            "Every Required Type" => Checkout,
            "event collided" => Lead,
            "Type Union" => "UnionSeen",
        }
        properties {
            "required number" => value,
            "Required String" => order_id,
        }
        "required array with properties" => line_items {
            "required number" => product_price,
            "required_int" => product_quantity,
        }
    }
}

pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/typewriter-7-plan.json")]
    #[allow(deprecated)]
    mod config_api {
        events {
            "Every Optional Type" => AddToCart,
            "Property Object Name Collision #1" => "Collision",
        }
        properties {
            "optional number" => value,
        }
    }
}

fn main() {
    use pinterest_mapping::Mapping;
    assert_eq!(
        public_api::Table.event("Every Required Type"),
        Some(pinterest_mapping::PinterestEvent::Checkout)
    );
    assert_eq!(
        config_api::Table.event("every_optional_type"),
        Some(pinterest_mapping::PinterestEvent::AddToCart)
    );
}
