/** The one BullMQ queue every job travels on; its keys live under QUEUE_PREFIX. */
export const QUEUE_NAME = 'answers';
