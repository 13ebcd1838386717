/** The BullMQ queue every job travels on; its keys live under QUEUE_PREFIX. */
export const QUEUE_NAME = 'answers';
/** Signs of receipt for questions that wait (answer/receipts.ts), with workers of their own. */
export const RECEIPT_QUEUE_NAME = 'receipts';
