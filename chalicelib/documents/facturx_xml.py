"""The invoice as Factur-X EN 16931 CII XML (UN/CEFACT Cross Industry Invoice D16B).

Written from the same Invoice (and its totals) as the visible PDF, so the two agree. Element
order follows the XSD. A used vehicle under the margin scheme is VAT category E with the
exemption code VATEX-EU-F (second-hand goods margin scheme, art. 313 of directive 2006/112,
art. 297 A CGI) and no VAT. Type codes (UNTDID 1001): 380 invoice, 386 prepayment (deposit)
invoice, 381 credit note. docs/invoices.md.
"""
from datetime import date
from xml.etree import ElementTree as ET

from chalicelib.domain.invoices import MARGIN_SCHEME_BASIS, MARGIN_SCHEME_MENTION, Invoice, InvoiceKind, InvoiceLine
from chalicelib.domain.money import bp_to_percent

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {InvoiceKind.DEPOSIT: "386", InvoiceKind.FINAL: "380", InvoiceKind.STANDARD: "380",
              InvoiceKind.CREDIT_NOTE: "381"}
MARGIN_SCHEME_CODE = "VATEX-EU-F"
CURRENCY = "EUR"

for prefix, uri in (("rsm", RSM), ("ram", RAM), ("udt", UDT), ("qdt", QDT)):
    ET.register_namespace(prefix, uri)


def amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def rate(rate_bp: int) -> str:
    return format(bp_to_percent(rate_bp), "f")


def _el(parent: ET.Element, ns: str, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _ram(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    return _el(parent, RAM, name, text, **attributes)


def _day(parent: ET.Element, name: str, day: date, ns: str = UDT) -> None:
    _el(_ram(parent, name), ns, "DateTimeString", day.strftime("%Y%m%d"), format="102")


def xml_of(invoice: Invoice) -> bytes:
    root = ET.Element(f"{{{RSM}}}CrossIndustryInvoice")
    context = _el(root, RSM, "ExchangedDocumentContext")
    _ram(_ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", EN16931)

    document = _el(root, RSM, "ExchangedDocument")
    _ram(document, "ID", invoice.number)
    _ram(document, "TypeCode", TYPE_CODES[invoice.kind])
    _day(document, "IssueDateTime", invoice.issue_date)
    for subject, text in _notes(invoice):
        note = _ram(document, "IncludedNote")
        _ram(note, "Content", text)
        _ram(note, "SubjectCode", subject)

    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    for index, line in enumerate(invoice.lines, start=1):
        _line(transaction, index, line)
    _agreement(transaction, invoice)
    delivery = _ram(transaction, "ApplicableHeaderTradeDelivery")
    if invoice.sale_date is not None:
        _day(_ram(delivery, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime", invoice.sale_date)
    _settlement(transaction, invoice)
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


def _notes(invoice: Invoice) -> list[tuple[str, str]]:
    """Free-text mentions (UNTDID 4451 subjects): the seller's legal form (REG), terms (AAB), reasons (ACD)."""
    notes = []
    legal = invoice.seller.legal
    registration = " – ".join(p for p in (legal.legal_name, legal.legal_form, legal.rcs) if p)
    if registration:
        notes.append(("REG", registration))
    if invoice.has_margin_scheme:
        notes.append(("AAI", f"{MARGIN_SCHEME_MENTION} ({MARGIN_SCHEME_BASIS})"))
    if invoice.reason:
        notes.append(("ACD", invoice.reason))
    return notes


def _line(transaction: ET.Element, index: int, line: InvoiceLine) -> None:
    item = _ram(transaction, "IncludedSupplyChainTradeLineItem")
    _ram(_ram(item, "AssociatedDocumentLineDocument"), "LineID", str(index))
    product = _ram(item, "SpecifiedTradeProduct")
    _ram(product, "Name", line.label)
    if line.description:
        _ram(product, "Description", line.description)
    _ram(_ram(_ram(item, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice"), "ChargeAmount",
         amount(line.unit_price_cents))
    _ram(_ram(item, "SpecifiedLineTradeDelivery"), "BilledQuantity", str(line.quantity), unitCode="C62")
    settlement = _ram(item, "SpecifiedLineTradeSettlement")
    tax = _ram(settlement, "ApplicableTradeTax")
    _ram(tax, "TypeCode", "VAT")
    _ram(tax, "CategoryCode", _category(line.margin_scheme, line.vat_rate_bp))
    _ram(tax, "RateApplicablePercent", rate(line.vat_rate_bp))
    _ram(_ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount", amount(line.ht_cents))


def _category(margin_scheme: bool, rate_bp: int) -> str:
    """S standard rate, E exempt (the margin scheme), Z zero rate."""
    if margin_scheme:
        return "E"
    return "S" if rate_bp > 0 else "Z"


def _agreement(transaction: ET.Element, invoice: Invoice) -> None:
    agreement = _ram(transaction, "ApplicableHeaderTradeAgreement")
    seller = _ram(agreement, "SellerTradeParty")
    legal = invoice.seller.legal
    _ram(seller, "Name", legal.legal_name or invoice.seller.name)
    if legal.siret:
        _ram(_ram(seller, "SpecifiedLegalOrganization"), "ID", legal.siret[:9], schemeID="0002")
    address = _ram(seller, "PostalTradeAddress")
    if legal.postal_code:
        _ram(address, "PostcodeCode", legal.postal_code)
    if legal.address_line:
        _ram(address, "LineOne", legal.address_line)
    if legal.city:
        _ram(address, "CityName", legal.city)
    _ram(address, "CountryID", "FR")
    if legal.vat_number:
        _ram(_ram(seller, "SpecifiedTaxRegistration"), "ID", legal.vat_number, schemeID="VA")

    buyer = _ram(agreement, "BuyerTradeParty")
    _ram(buyer, "Name", invoice.buyer.name)
    if invoice.buyer.siren:
        _ram(_ram(buyer, "SpecifiedLegalOrganization"), "ID", invoice.buyer.siren, schemeID="0002")
    postal = invoice.buyer.address
    address = _ram(buyer, "PostalTradeAddress")
    if postal is not None:
        _ram(address, "PostcodeCode", postal.postal_code)
        _ram(address, "LineOne", postal.line1)
        if postal.line2:
            _ram(address, "LineTwo", postal.line2)
        _ram(address, "CityName", postal.city)
    _ram(address, "CountryID", postal.country if postal else "FR")
    if invoice.order_reference:
        _ram(_ram(agreement, "ContractReferencedDocument"), "IssuerAssignedID", invoice.order_reference)


def _settlement(transaction: ET.Element, invoice: Invoice) -> None:
    settlement = _ram(transaction, "ApplicableHeaderTradeSettlement")
    _ram(settlement, "InvoiceCurrencyCode", CURRENCY)
    totals = invoice.totals
    for breakdown in totals.by_rate:
        tax = _ram(settlement, "ApplicableTradeTax")
        _ram(tax, "CalculatedAmount", amount(breakdown.vat_cents))
        _ram(tax, "TypeCode", "VAT")
        _ram(tax, "BasisAmount", amount(breakdown.base_cents))
        _ram(tax, "CategoryCode", _category(False, breakdown.vat_rate_bp))
        _ram(tax, "RateApplicablePercent", rate(breakdown.vat_rate_bp))
    if totals.margin_scheme_cents:
        tax = _ram(settlement, "ApplicableTradeTax")
        _ram(tax, "CalculatedAmount", amount(0))
        _ram(tax, "TypeCode", "VAT")
        _ram(tax, "ExemptionReason", MARGIN_SCHEME_MENTION)
        _ram(tax, "BasisAmount", amount(totals.margin_scheme_cents))
        _ram(tax, "CategoryCode", "E")
        _ram(tax, "ExemptionReasonCode", MARGIN_SCHEME_CODE)
        _ram(tax, "RateApplicablePercent", "0")
    _ram(_ram(settlement, "SpecifiedTradePaymentTerms"), "Description", invoice.payment_terms)
    summation = _ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _ram(summation, "LineTotalAmount", amount(totals.ht_cents))
    _ram(summation, "TaxBasisTotalAmount", amount(totals.ht_cents))
    _ram(summation, "TaxTotalAmount", amount(totals.vat_cents), currencyID=CURRENCY)
    _ram(summation, "GrandTotalAmount", amount(totals.ttc_cents))
    if totals.prepaid_cents:
        _ram(summation, "TotalPrepaidAmount", amount(totals.prepaid_cents))
    _ram(summation, "DuePayableAmount", amount(totals.due_cents))
    if invoice.credited_number:
        reference = _ram(settlement, "InvoiceReferencedDocument")
        _ram(reference, "IssuerAssignedID", invoice.credited_number)
        if invoice.credited_issue_date:
            _day(reference, "FormattedIssueDateTime", invoice.credited_issue_date, ns=QDT)
    for deduction in invoice.deductions:
        reference = _ram(settlement, "InvoiceReferencedDocument")
        _ram(reference, "IssuerAssignedID", deduction.number)
        _day(reference, "FormattedIssueDateTime", deduction.issue_date, ns=QDT)
