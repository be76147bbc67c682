/**
 * The order columns the invoice writeback fills by default, in the order setup-dataverse creates them: written out
 * here once so the tests that expect them agree (the code's own constant is what they check).
 */
export const DEFAULT_WRITEBACK_COLUMN_NAMES = [
  'd365x_xeroinvoicenumber',
  'd365x_xeroinvoicestatus',
  'd365x_xeroamountdue',
  'd365x_xeroamountpaid',
  'd365x_xerofullypaidon',
  'd365x_xeroinvoiceurl',
] as const;
