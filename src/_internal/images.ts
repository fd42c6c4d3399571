/*
 * Images pinned by digest so a re-pushed tag cannot change what runs. The digests are the ones public manifests pin
 * for these tags, not pulled here; check them with `crane digest <image>:<tag>` (or `docker buildx imagetools inspect`)
 * when bumping.
 */

/** curl, for the demo client and the identity restarter. */
export const CURL_IMAGE = 'docker.io/curlimages/curl:8.10.1@sha256:d9b4541e214bcd85196d6e92e2753ac6d0ea699f0af5741f8c6cccbfcf00ef4b';
/** hashicorp/http-echo, for the demo server. */
export const HTTP_ECHO_IMAGE = 'docker.io/hashicorp/http-echo:1.0.0@sha256:fcb75f691c8b0414d670ae570240cbf95502cc18a9ba57e982ecac589760a186';
