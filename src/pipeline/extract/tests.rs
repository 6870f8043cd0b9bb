//! Extraction on synthetic layouts (right of / below / nested / typed / missing) and on the
//! shared text-layer samples.

use super::*;
use crate::pipeline::config::ClassConfig;
use crate::pipeline::split::tests::sample;
use crate::pipeline::split::{self, SplitOptions};

/// A scanned-looking page (see [`super::fixtures::SCAN`]).
fn page(lines: &[&[(&str, f32)]]) -> PageContent {
    super::fixtures::page(lines, &super::fixtures::SCAN)
}

fn pages_of(file: &str) -> Vec<PageContent> {
    let opts = SplitOptions {
        render_for_ocr: false,
        ..SplitOptions::default()
    };
    split::split(&sample(file), file, &opts).unwrap()
}

#[test]
fn right_below_nested_typed_and_missing() {
    let yaml = r##"
classes:
  - $id: Payslip
    type: object
    properties:
      PayDate:
        type: string
        format: date
        x-idpctl-labels: ["pay date"]
      employee:
        type: object
        properties:
          ssn:
            type: string
            x-idpctl-labels: ["social security number"]
      NetPay:
        type: number
        x-idpctl-labels: ["net pay"]
      Missing:
        type: string
        x-idpctl-labels: ["not on the page"]
"##;
    let class = &ClassConfig::from_yaml(yaml).unwrap().classes[0];
    let p = page(&[
        &[("Pay Date: 07/25/2008", 0.1), ("Net Pay", 0.6)],
        &[("Social Security Number", 0.1), ("$1,291.90", 0.6)],
        &[("123-45-6789", 0.1)],
    ]);
    let out = extract_section(class, &[&p]);
    assert_eq!(out.attributes["PayDate"], "07/25/2008");
    assert_eq!(out.attributes["employee"]["ssn"], "123-45-6789");
    assert_eq!(out.attributes["NetPay"], 1291.9);
    assert!(out.attributes["Missing"].is_null());
    let ssn = &out.fields["employee.ssn"];
    assert!(ssn.confidence > 0.8 && ssn.confidence < 1.0, "{ssn:?}");
    assert_eq!(ssn.source.as_ref().unwrap().page_id, "1");
    assert_eq!(out.fields["Missing"].confidence, 0.0);
    assert!(
        out.fields["Missing"]
            .confidence_reason
            .contains("not found")
    );
}

#[test]
fn guessed_values_have_low_confidence() {
    let yaml = r##"
classes:
  - $id: X
    type: object
    properties:
      ssn:
        type: string
        x-idpctl-labels: ["employee ssn"]
"##;
    let class = &ClassConfig::from_yaml(yaml).unwrap().classes[0];
    let p = page(&[&[("Some other words", 0.1)], &[("123-45-6789", 0.1)]]);
    let out = extract_section(class, &[&p]);
    let f = &out.fields["ssn"];
    assert_eq!(f.value, "123-45-6789");
    assert!(f.confidence < 0.5, "{f:?}");
    assert!(f.confidence_reason.starts_with("guessed"));
}

#[test]
fn w2_text_layer() {
    let config = ClassConfig::builtin();
    let pages = pages_of("w2/W2_XL_input_clean_1000.pdf");
    let out = extract_section(config.class("W2").unwrap(), &[&pages[0]]);
    let a = serde_json::Value::Object(out.attributes.clone());
    assert_eq!(a["employer_info"]["ein"], "37-2766773");
    assert_eq!(a["employer_info"]["employer_name"], "Richardson-Brown PLC");
    assert_eq!(a["employer_info"]["employer_zip_code"], "44735-6958");
    assert_eq!(a["employee_general_info"]["ssn"], "077-49-4905");
    assert_eq!(a["employee_general_info"]["first_name"], "April");
    assert_eq!(a["employee_general_info"]["employee_last_name"], "Hensley");
    assert_eq!(
        a["federal_wage_info"]["wages_tips_other_compensation"],
        55151.93
    );
    assert_eq!(a["federal_tax_info"]["federal_income_tax"], 16606.17);
    assert_eq!(a["state_taxes_table"][1]["state_name"], "CO");
    assert_eq!(
        a["state_taxes_table"][1]["locality_name"],
        "Rodriguez Trail"
    );
    let ein = &out.fields["employer_info.ein"];
    assert!(ein.confidence > 0.9, "{ein:?}");
    let src = ein.source.as_ref().unwrap();
    assert!(!src.approximate && src.bbox.top < 0.2);
    assert!(
        out.fields
            .contains_key("state_taxes_table[0].employer_state_id")
    );
}

#[test]
fn discharge_summary_values_right_of_labels() {
    let config = ClassConfig::builtin();
    let pages = pages_of("text/insurance_package_single.pdf");
    let out = extract_section(config.class("Discharge-Summary").unwrap(), &[&pages[0]]);
    assert_eq!(out.attributes["PatientName"], "John Doe");
    assert_eq!(out.attributes["PatientId"], "NARH-36640");
    assert_eq!(out.attributes["AdmitDate"], "07-Sep-2020");
    assert_eq!(out.attributes["DischargeDate"], "08-Sep-2020");
    assert_eq!(out.attributes["AttendingPhysician"], "Mateo Jackson, PhD");
}

#[test]
fn bank_statement_over_five_pages() {
    let config = ClassConfig::builtin();
    let pages = pages_of("text/bank-statement-multipage.pdf");
    let refs: Vec<&PageContent> = pages.iter().collect();
    let out = extract_section(config.class("Bank-Statement").unwrap(), &refs);
    assert_eq!(out.attributes["account_number"], "003525801543");
    assert_eq!(out.attributes["statement_date"], "04/04/2022");
    assert_eq!(out.attributes["previous_balance"], 41982.42);
    assert_eq!(out.attributes["new_balance"], 5657.47);
}

#[test]
fn fund_table_rows_across_pages() {
    let config = ClassConfig::builtin();
    let pages = pages_of("text/Nuveen.pdf");
    let refs: Vec<&PageContent> = pages.iter().collect();
    let out = extract_section(config.class("Fund-Distribution-Table").unwrap(), &refs);
    let funds = out.attributes["funds"].as_array().unwrap();
    assert!(funds.len() > 400, "{} rows", funds.len());
    let second = &funds[1];
    assert_eq!(
        second["fund_name"],
        "Nuveen 5-15 Year Laddered Tax Exempt Bond Fund"
    );
    assert_eq!(second["ticker"], "TIXRX");
    assert_eq!(second["record_date"], "12/5/2024");
    assert_eq!(second["nav"], "$9.74");
}
