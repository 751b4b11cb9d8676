import { type Delivery, eventHandlers, type MessageBroker, type Subscription } from "@switchboard/messaging";
import { ImageProcessingRequestedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import type { Logger } from "@switchboard/runtime";
import { ImageNotFoundError } from "../domain/errors.js";
import type { ImageLibrary } from "../domain/image-library.js";

export interface ImageWorkerDeps {
  library: ImageLibrary;
  /** RabbitMQ: `images.process` is a work queue, each job goes to one worker. */
  amqp: Pick<MessageBroker, "subscribe">;
  logger: Logger;
  /** The work queue (config JOBS_QUEUE). */
  queue: string;
  /** Workers in this process; each takes one job at a time (the broker's prefetch must be 1). */
  count: number;
}

/**
 * Starts `count` competing consumers of `images.process`. A job makes a variant of an image and
 * publishes ImageProcessed (through the library's outbox). A job that fails — an image that
 * cannot be decoded — throws, so RabbitMQ redelivers it, and after the queue's delivery limit
 * dead-letters it to `images.process.dead`. A redelivered job that was already done is not
 * done twice (the variant remembers its job id).
 */
export async function startImageWorkers(deps: ImageWorkerDeps): Promise<Subscription[]> {
  const workers: Subscription[] = [];
  for (let worker = 1; worker <= deps.count; worker++) {
    workers.push(await deps.amqp.subscribe(deps.queue, imageJobs(deps, worker)));
  }
  return workers;
}

/** One worker's handler: ImageProcessingRequested jobs; a job of another type is a bug, refused (and dead-lettered). */
function imageJobs(deps: ImageWorkerDeps, worker: number) {
  return eventHandlers<[Delivery]>()
    .on(ImageProcessingRequestedSchema, async ({ imageId, operations }, job, delivery) => {
      try {
        const variant = await deps.library.process(imageId, operations, { jobId: job.id });
        deps.logger.info({ worker, job: job.id, imageId, variant: variant.id }, "image job done");
      } catch (error) {
        if (error instanceof ImageNotFoundError) {
          // Deleted before its thumbnail was made: nothing to do, and retrying would not help.
          deps.logger.info({ worker, job: job.id, imageId }, "image job dropped: the image was deleted");
          return;
        }
        deps.logger.warn(
          {
            worker,
            job: job.id,
            imageId,
            redeliveries: delivery.redeliveries,
            err: (error as Error).message,
          },
          "image job failed; RabbitMQ will redeliver or dead-letter it",
        );
        throw error;
      }
    })
    .rejectingOthers();
}
