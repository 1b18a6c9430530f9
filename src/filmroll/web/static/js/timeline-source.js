// Where the timeline's assets come from: Immich's time-bucket API. `GET /api/timeline/buckets` lists
// the months with their counts; `GET /api/timeline/bucket` answers one month as a columnar
// TimeBucketAssetResponseDto ({id: [...], ratio: [...], thumbhash: [...], ...}).

import { get, query } from './api.js';

/** {buckets(): [{timeBucket, count}], bucket(timeBucket): columnar} for one set of filters. */
export function timelineSource(params) {
  return {
    buckets: () => get(`/timeline/buckets${query(params)}`),
    bucket: (timeBucket) => get(`/timeline/bucket${query({ ...params, timeBucket })}`),
  };
}
