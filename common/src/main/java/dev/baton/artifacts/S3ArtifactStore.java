package dev.baton.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

/**
 * The artifact store on the S3 API (AWS S3, MinIO, Ceph, s3proxy), through the AWS SDK for Java v2:
 * path-style addressing when an endpoint is given, as S3-compatible servers expect. Uploads stream
 * from the file (its length known, no buffering of the body); downloads stream to a temporary file
 * beside the target, moved into place once complete.
 */
public final class S3ArtifactStore implements ArtifactStore {
  private final S3Client s3;
  private final S3Presigner presigner;
  private final ArtifactSettings settings;

  public S3ArtifactStore(ArtifactSettings settings) {
    this.settings = settings;
    S3ClientBuilder b =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials(settings));
    if (settings.endpoint() != null) {
      // S3-compatible servers: path-style, and checksums only where the API requires them (the
      // SDK's default trailing checksums in aws-chunked bodies are not understood by all of them).
      b.endpointOverride(URI.create(settings.endpoint()))
          .forcePathStyle(true)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    this.s3 = b.build();
    S3Presigner.Builder p =
        S3Presigner.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials(settings));
    if (settings.endpoint() != null) {
      p.endpointOverride(URI.create(settings.endpoint()))
          .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
    }
    this.presigner = p.build();
  }

  /** At most 7 days: the longest a SigV4 presigned URL may live. */
  static final Duration MAX_PRESIGNED = Duration.ofDays(7);

  @Override
  public String presign(String method, String key, Duration validFor) {
    Duration valid = validFor.compareTo(MAX_PRESIGNED) > 0 ? MAX_PRESIGNED : validFor;
    return switch (method) {
      case "GET" ->
          presigner
              .presignGetObject(
                  GetObjectPresignRequest.builder()
                      .signatureDuration(valid)
                      .getObjectRequest(
                          GetObjectRequest.builder().bucket(settings.bucket()).key(key).build())
                      .build())
              .url()
              .toString();
      case "PUT" ->
          presigner
              .presignPutObject(
                  PutObjectPresignRequest.builder()
                      .signatureDuration(valid)
                      .putObjectRequest(
                          PutObjectRequest.builder().bucket(settings.bucket()).key(key).build())
                      .build())
              .url()
              .toString();
      default -> throw new IllegalArgumentException("presign GET or PUT, not " + method);
    };
  }

  private static AwsCredentialsProvider credentials(ArtifactSettings s) {
    if (s.accessKey() != null && s.secretKey() != null) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(s.accessKey(), s.secretKey()));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** Files larger than this go up in parts of this size (S3 allows 10,000 parts). */
  static final long PART_BYTES = 32L * 1024 * 1024;

  @Override
  public void put(String key, Path file) throws IOException {
    long size = Files.size(file);
    try {
      if (size <= PART_BYTES) {
        s3.putObject(
            PutObjectRequest.builder().bucket(settings.bucket()).key(key).build(),
            RequestBody.fromFile(file));
      } else {
        putInParts(key, file, size);
      }
    } catch (SdkException e) {
      throw new IOException(
          "cannot store " + uri(key) + " in " + address() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A multipart upload, each part streamed from its range of the file; aborted (its parts discarded
   * by the store) if one part fails.
   */
  private void putInParts(String key, Path file, long size) throws IOException {
    long partBytes = Math.max(PART_BYTES, (size + 9_999) / 10_000);
    String upload =
        s3.createMultipartUpload(
                CreateMultipartUploadRequest.builder().bucket(settings.bucket()).key(key).build())
            .uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      for (long offset = 0; offset < size; offset += partBytes) {
        int number = parts.size() + 1;
        long length = Math.min(partBytes, size - offset);
        long from = offset;
        String etag =
            s3.uploadPart(
                    UploadPartRequest.builder()
                        .bucket(settings.bucket())
                        .key(key)
                        .uploadId(upload)
                        .partNumber(number)
                        .contentLength(length)
                        .build(),
                    RequestBody.fromContentProvider(
                        () -> FileRange.open(file, from, length),
                        length,
                        "application/octet-stream"))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      }
      s3.completeMultipartUpload(
          CompleteMultipartUploadRequest.builder()
              .bucket(settings.bucket())
              .key(key)
              .uploadId(upload)
              .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())
              .build());
    } catch (SdkException | UncheckedIOException e) {
      try {
        s3.abortMultipartUpload(
            AbortMultipartUploadRequest.builder()
                .bucket(settings.bucket())
                .key(key)
                .uploadId(upload)
                .build());
      } catch (SdkException abort) {
        e.addSuppressed(abort);
      }
      throw e;
    }
  }

  @Override
  public void get(String key, Path file) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (var in =
        s3.getObject(GetObjectRequest.builder().bucket(settings.bucket()).key(key).build())) {
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
    } catch (SdkException e) {
      Files.deleteIfExists(partial);
      throw new IOException(
          "cannot read " + uri(key) + " from " + address() + ": " + e.getMessage(), e);
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public InputStream open(String key) throws IOException {
    try {
      return s3.getObject(GetObjectRequest.builder().bucket(settings.bucket()).key(key).build());
    } catch (SdkException e) {
      throw new IOException(
          "cannot read " + uri(key) + " from " + address() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> children(String prefix) throws IOException {
    List<String> children = new ArrayList<>();
    try {
      s3.listObjectsV2Paginator(
              ListObjectsV2Request.builder()
                  .bucket(settings.bucket())
                  .prefix(prefix)
                  .delimiter("/")
                  .build())
          .commonPrefixes()
          .forEach(
              p -> {
                String name = p.prefix().substring(prefix.length());
                children.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
              });
    } catch (SdkException e) {
      throw new IOException(
          "cannot list " + uri(prefix) + " in " + address() + ": " + e.getMessage(), e);
    }
    return children;
  }

  @Override
  public Map<String, Long> keys(String prefix) throws IOException {
    Map<String, Long> keys = new LinkedHashMap<>();
    try {
      s3
          .listObjectsV2Paginator(
              ListObjectsV2Request.builder().bucket(settings.bucket()).prefix(prefix).build())
          .contents()
          .stream()
          // A server on a file system (s3proxy) lists its directories as keys ending in '/': no
          // artifact's key does, and deleting one is slow and fails.
          .filter(o -> !o.key().endsWith("/"))
          .forEach(o -> keys.put(o.key(), o.size()));
    } catch (SdkException e) {
      throw new IOException(
          "cannot list " + uri(prefix) + " in " + address() + ": " + e.getMessage(), e);
    }
    return keys;
  }

  /**
   * One DeleteObject per key: the batch call needs a request checksum that the SDK now sends as
   * {@code x-amz-checksum-crc32}, which S3-compatible servers such as s3proxy refuse (501).
   */
  @Override
  public void delete(Collection<String> keys) throws IOException {
    try {
      for (String key : keys) {
        s3.deleteObject(DeleteObjectRequest.builder().bucket(settings.bucket()).key(key).build());
      }
    } catch (SdkException e) {
      throw new IOException("cannot delete artifacts in " + address() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String uri(String key) {
    return "s3://" + settings.bucket() + "/" + key;
  }

  @Override
  public String keyOf(String uri) {
    String start = "s3://" + settings.bucket() + "/" + settings.prefix();
    return uri != null && uri.startsWith(start) && !uri.contains("/../")
        ? uri.substring(("s3://" + settings.bucket() + "/").length())
        : null;
  }

  @Override
  public String address() {
    return "s3://"
        + settings.bucket()
        + "/"
        + settings.prefix()
        + (settings.endpoint() == null ? "" : " at " + settings.endpoint());
  }

  @Override
  public String prefix() {
    return settings.prefix();
  }

  @Override
  public void close() {
    s3.close();
    presigner.close();
  }
}
