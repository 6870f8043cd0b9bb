use super::*;

/// A Factur-X / ZUGFeRD 2 invoice (CII D16B), trimmed to the elements read.
pub(crate) const CII: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>F-2026-17</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20260131</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:SpecifiedTradeProduct><ram:Name>Support</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>60.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">1.0000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>60.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:SellerTradeParty><ram:Name>Le Fournisseur SARL</ram:Name>
    <ram:PostalTradeAddress><ram:PostcodeCode>75018</ram:PostcodeCode><ram:LineOne>35 rue d'ici</ram:LineOne><ram:CityName>PARIS</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Le Client</ram:Name></ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-77</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradePaymentTerms><ram:Description>30 jours net</ram:Description>
    <ram:DueDateDateTime><udt:DateTimeString format="102">20260302</udt:DateTimeString></ram:DueDateDateTime>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>60.00</ram:LineTotalAmount><ram:TaxBasisTotalAmount>60.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="USD">13.20</ram:TaxTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">12.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>72.00</ram:GrandTotalAmount><ram:DuePayableAmount>72.00</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#;

#[test]
fn cii_header_parties_totals_and_lines() {
    let inv = from_xml(CII.as_bytes()).expect("a CII invoice");
    assert_eq!(inv.source, "CII urn:cen.eu:en16931:2017");
    assert_eq!(inv.number.as_deref(), Some("F-2026-17"));
    assert_eq!(inv.issue_date.as_deref(), Some("2026-01-31"));
    assert_eq!(inv.due_date.as_deref(), Some("2026-03-02"));
    let seller = inv.seller.as_ref().unwrap();
    assert_eq!(seller.name.as_deref(), Some("Le Fournisseur SARL"));
    assert_eq!(
        seller.address().as_deref(),
        Some("35 rue d'ici, 75018 PARIS, FR")
    );
    assert_eq!(inv.buyer.as_ref().unwrap().address(), None);
    assert_eq!(inv.order_reference.as_deref(), Some("PO-77"));
    assert_eq!(inv.payment_terms.as_deref(), Some("30 jours net"));
    // The line's own LineTotalAmount is not the header's; the tax in the invoice's currency.
    assert_eq!(inv.line_total.as_deref(), Some("60.00"));
    assert_eq!(inv.tax_total.as_deref(), Some("12.00"));
    assert_eq!(inv.grand_total.as_deref(), Some("72.00"));
    assert_eq!(inv.items.len(), 1);
    assert_eq!(inv.items[0].name.as_deref(), Some("Support"));
    assert_eq!(inv.items[0].quantity.as_deref(), Some("1.0000"));
    assert_eq!(inv.items[0].unit_price.as_deref(), Some("60.00"));
    assert!(!inv.is_credit_note());
}

#[test]
fn zugferd_1_names_its_transaction_differently() {
    let xml = r#"<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
      xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
      xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
     <rsm:HeaderExchangedDocument><ram:ID>471102</ram:ID><ram:Name>RECHNUNG</ram:Name>
      <ram:TypeCode>380</ram:TypeCode>
      <ram:IssueDateTime><udt:DateTimeString format="102">20130305</udt:DateTimeString></ram:IssueDateTime>
     </rsm:HeaderExchangedDocument>
     <rsm:SpecifiedSupplyChainTradeTransaction>
      <ram:ApplicableSupplyChainTradeAgreement>
       <ram:SellerTradeParty><ram:Name>Lieferant GmbH</ram:Name>
        <ram:PostalTradeAddress><ram:PostcodeCode>80333</ram:PostcodeCode><ram:LineOne>Lieferantenstraße 20</ram:LineOne><ram:CityName>München</ram:CityName><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
       </ram:SellerTradeParty>
       <ram:BuyerTradeParty><ram:Name>Kunden AG Mitte</ram:Name></ram:BuyerTradeParty>
      </ram:ApplicableSupplyChainTradeAgreement>
      <ram:ApplicableSupplyChainTradeSettlement>
       <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
       <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount currencyID="EUR">198.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">37.62</ram:TaxTotalAmount>
        <ram:GrandTotalAmount currencyID="EUR">235.62</ram:GrandTotalAmount>
       </ram:SpecifiedTradeSettlementMonetarySummation>
      </ram:ApplicableSupplyChainTradeSettlement>
      <ram:IncludedSupplyChainTradeLineItem>
       <ram:SpecifiedSupplyChainTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">9.90</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedSupplyChainTradeAgreement>
       <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="C62">20.0000</ram:BilledQuantity></ram:SpecifiedSupplyChainTradeDelivery>
       <ram:SpecifiedSupplyChainTradeSettlement><ram:SpecifiedTradeSettlementMonetarySummation><ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementMonetarySummation></ram:SpecifiedSupplyChainTradeSettlement>
       <ram:SpecifiedTradeProduct><ram:Name>Trennblätter A4</ram:Name></ram:SpecifiedTradeProduct>
      </ram:IncludedSupplyChainTradeLineItem>
     </rsm:SpecifiedSupplyChainTradeTransaction>
    </rsm:CrossIndustryDocument>"#;
    let inv = from_xml(xml.as_bytes()).expect("a ZUGFeRD 1.0 invoice");
    assert_eq!(inv.number.as_deref(), Some("471102"));
    assert_eq!(inv.issue_date.as_deref(), Some("2013-03-05"));
    assert_eq!(
        inv.seller.as_ref().unwrap().address().as_deref(),
        Some("Lieferantenstraße 20, 80333 München, DE")
    );
    assert_eq!(inv.tax_basis.as_deref(), Some("198.00"));
    assert_eq!(inv.grand_total.as_deref(), Some("235.62"));
    assert_eq!(inv.items[0].name.as_deref(), Some("Trennblätter A4"));
    assert_eq!(inv.items[0].quantity.as_deref(), Some("20.0000"));
}

#[test]
fn ubl_invoice_and_credit_note() {
    let xml = r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
      xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
      xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
     <cbc:ID>INV-9</cbc:ID><cbc:IssueDate>2026-02-01</cbc:IssueDate><cbc:DueDate>2026-03-03</cbc:DueDate>
     <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
     <cac:OrderReference><cbc:ID>PO-1</cbc:ID></cac:OrderReference>
     <cac:AccountingSupplierParty><cac:Party>
      <cac:PostalAddress><cbc:StreetName>Main Street 1</cbc:StreetName><cbc:CityName>London</cbc:CityName><cbc:PostalZone>W1 1AA</cbc:PostalZone><cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
      <cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity>
     </cac:Party></cac:AccountingSupplierParty>
     <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Buyer BV</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
     <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">21.00</cbc:TaxAmount></cac:TaxTotal>
     <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
      <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">121.00</cbc:TaxInclusiveAmount>
      <cbc:PayableAmount currencyID="EUR">121.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
     <cac:InvoiceLine><cbc:InvoicedQuantity unitCode="HUR">4</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
      <cac:Item><cbc:Name>Consulting</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
    </Invoice>"#;
    let inv = from_xml(xml.as_bytes()).expect("a UBL invoice");
    assert_eq!(inv.number.as_deref(), Some("INV-9"));
    assert_eq!(inv.due_date.as_deref(), Some("2026-03-03"));
    let seller = inv.seller.as_ref().unwrap();
    assert_eq!(seller.name.as_deref(), Some("Seller Ltd"));
    assert_eq!(
        seller.address().as_deref(),
        Some("Main Street 1, W1 1AA London, GB")
    );
    assert_eq!(inv.buyer.unwrap().name.as_deref(), Some("Buyer BV"));
    assert_eq!(inv.tax_total.as_deref(), Some("21.00"));
    assert_eq!(inv.grand_total.as_deref(), Some("121.00"));
    assert_eq!(inv.items[0].quantity.as_deref(), Some("4"));
    let credit = from_xml(b"<CreditNote><ID>CN-1</ID></CreditNote>").unwrap();
    assert!(credit.is_credit_note());
}

#[test]
fn other_xml_and_broken_xml_are_not_invoices() {
    assert!(from_xml(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf/></x:xmpmeta>").is_none());
    assert!(from_xml(b"<Invoice><ID>1</Invoice>").is_none());
    assert!(from_xml(&[0xff, 0xfe, 0x00]).is_none());
}

/// A one-page PDF that carries `xml` as an embedded file, the way Factur-X does: a file
/// specification in the catalog's `/Names /EmbeddedFiles` tree and `/AF`.
pub(crate) fn pdf_carrying(xml: &str) -> Vec<u8> {
    use pdf_extract::{Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 24 Tf 72 700 Td (Rechnung F-2026-17) Tj ET".to_vec(),
    ));
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let mut file = Stream::new(
        dictionary! { "Type" => "EmbeddedFile", "Subtype" => "text/xml" },
        xml.as_bytes().to_vec(),
    );
    file.compress().unwrap();
    let file = doc.add_object(file);
    let spec = doc.add_object(dictionary! {
        "Type" => "Filespec", "F" => Object::string_literal("factur-x.xml"),
        "EF" => dictionary! { "F" => file },
    });
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages, "AF" => vec![spec.into()],
        "Names" => dictionary! { "EmbeddedFiles" => dictionary! {
            "Names" => vec![Object::string_literal("factur-x.xml"), spec.into()],
        } },
    });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn the_split_stage_reads_the_invoice_a_pdf_carries_onto_its_first_page() {
    let bytes = pdf_carrying(CII);
    let pages = crate::pipeline::split::pdf::split_pdf(
        &bytes,
        &crate::pipeline::split::SplitOptions::default(),
    )
    .unwrap();
    let inv = pages[0].einvoice.as_ref().expect("the embedded invoice");
    assert_eq!(inv.number.as_deref(), Some("F-2026-17"));
    // Written into the page JSON the stages pass on, and read back.
    let json = serde_json::to_string(&pages[0]).unwrap();
    let back: crate::model::PageContent = serde_json::from_str(&json).unwrap();
    assert_eq!(back.einvoice, pages[0].einvoice);
    // A PDF whose embedded file is something else carries no invoice.
    let other = pdf_carrying("<notes><n>hello</n></notes>");
    let pages = crate::pipeline::split::pdf::split_pdf(
        &other,
        &crate::pipeline::split::SplitOptions::default(),
    )
    .unwrap();
    assert!(pages[0].einvoice.is_none());
}

#[test]
fn a_bare_xml_invoice_is_laid_out_as_an_invoice_page_and_read_from_it() {
    let pages = crate::pipeline::split::split(
        CII.as_bytes(),
        "F-2026-17.xml",
        &crate::pipeline::split::SplitOptions::default(),
    )
    .unwrap();
    assert_eq!(pages.len(), 1);
    let text = &pages[0].text;
    assert!(text.starts_with("Invoice"), "{text}");
    assert!(text.contains("Invoice number: F-2026-17"), "{text}");
    assert!(!text.contains("<ram:"), "no markup on the page: {text}");
    assert!(pages[0].einvoice.is_some());
    // Classified and read like any invoice: every value printed where the XML says.
    let config = crate::pipeline::config::ClassConfig::from_yaml(
        "classes:\n  - $id: invoice\n    type: object\n    properties:\n\
         \x20     InvoiceNumber: {type: string, description: Unique identifier for the invoice}\n\
         \x20     TotalAmount: {type: string, description: Final amount to be paid}\n\
         \x20     VendorName: {type: string, description: Name of the business providing goods or services}\n",
    )
    .unwrap();
    let sections = crate::pipeline::classify::classify(&config, &pages);
    assert_eq!(sections[0].classification, "invoice");
    let out = crate::pipeline::extract::extract_section(&config.classes[0], &[&pages[0]]);
    assert_eq!(out.attributes["InvoiceNumber"], "F-2026-17");
    assert_eq!(out.attributes["VendorName"], "Le Fournisseur SARL");
    assert_eq!(out.attributes["TotalAmount"], "72.00 EUR");
    assert!(out.fields["InvoiceNumber"].confidence >= 0.9);
    // Any other XML stays text.
    let other = crate::pipeline::split::split(
        b"<notes><n>hello</n></notes>",
        "n.xml",
        &crate::pipeline::split::SplitOptions::default(),
    )
    .unwrap();
    assert!(other[0].einvoice.is_none() && other[0].text.contains("<notes>"));
}
