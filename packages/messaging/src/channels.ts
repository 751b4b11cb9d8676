/**
 * Switchboard's channels: the topics and queues its services share, named once for producers and
 * consumers alike. A queue named here is only its default; a deployment (or a test) may set its
 * own through the owning service's config.
 */

/** Kafka topic of user facts: UserCreated, UserUpdated, UserDeleted (key: the user id). */
export const USERS_TOPIC = "switchboard.users.v1";

/** Kafka topic of image facts: ImageUploaded, ImageProcessed (key: the image id). */
export const IMAGES_TOPIC = "switchboard.images.v1";

/** RabbitMQ work queue of image jobs (ImageProcessingRequested); dead letters: `images.process.dead`. */
export const IMAGE_JOBS_QUEUE = "images.process";

/** RabbitMQ work queue of notifications to deliver (NotificationRequested). */
export const NOTIFICATIONS_QUEUE = "notifications.deliver";

/** MQTT topic of one user's delivered notifications (QoS 1). */
export const notificationTopic = (userId: string) => `switchboard/users/${userId}/notifications`;
