//! The generated page rule: `category` when the page call's category is truthy, `_` otherwise;
//! a missing arm means no event.

#![deny(warnings)]

use pinterest_mapping::{Json, PinterestEvent};

pinterest_mapping::pinterest_mapping! {
    mod both {
        page { category => ViewCategory, _ => PageVisit }
    }
}

pinterest_mapping::pinterest_mapping! {
    mod fallback_only {
        page { _ => "PageView" }
    }
}

pinterest_mapping::pinterest_mapping! {
    mod category_only {
        page { category => Custom }
    }
}

fn main() {
    let json = |text: &'static str| Json::parse(text).unwrap();
    let shoes = json(r#""Shoes""#);
    for falsy in ["null", "false", "0", r#""""#] {
        let category = json(falsy);
        assert_eq!(both::page_event(Some(category)), Some(PinterestEvent::PageVisit), "{falsy}");
        assert_eq!(category_only::page_event(Some(category)), None, "{falsy}");
    }
    for truthy in [r#""Shoes""#, "1", "true", "{}", "[]", r#""0""#] {
        let category = json(truthy);
        assert_eq!(both::page_event(Some(category)), Some(PinterestEvent::ViewCategory), "{truthy}");
    }
    assert_eq!(both::page_event(None), Some(PinterestEvent::PageVisit));
    assert_eq!(fallback_only::page_event(Some(shoes)), Some(PinterestEvent::Partner("PageView".into())));
    assert_eq!(fallback_only::page_event(None), Some(PinterestEvent::Partner("PageView".into())));
    assert_eq!(category_only::page_event(Some(shoes)), Some(PinterestEvent::Custom));
    assert_eq!(category_only::page_event(None), None);
    // A table without a page section has no page event.
    assert_eq!(both::event("Order Completed"), None);
}
