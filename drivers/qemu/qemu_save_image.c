/* The QEMU driver's save image header and XML (layout in qemu_save_image.h). */
#include "drivers/qemu/qemu_save_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain_def.h"
#include "util/macros.h"

#define XML_LEN_MAX (VB_DOMAIN_XML_MAX_BYTES + QEMU_SAVE_XML_SPARE)

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

int qemu_save_header_parse(const unsigned char *buf, size_t len, struct qemu_save_header *header,
                           struct vb_error *err)
{
    uint32_t version, xml_len;

    if (len < QEMU_SAVE_HEADER_SIZE)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "failed to read qemu header");
    if (memcmp(buf, QEMU_SAVE_MAGIC, strlen(QEMU_SAVE_MAGIC)) != 0)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "image magic is incorrect");
    version = get_u32(buf + 16);
    if (version != QEMU_SAVE_VERSION)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "image version is not supported (%u > %u)", version,
                            QEMU_SAVE_VERSION);
    xml_len = get_u32(buf + 20);
    if (xml_len == 0 || xml_len > XML_LEN_MAX)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "invalid XML length: %u", xml_len);
    header->xml_len = xml_len;
    header->was_running = get_u32(buf + 24) != 0;
    return 0;
}

void qemu_save_header_format(const struct qemu_save_header *header, unsigned char buf[QEMU_SAVE_HEADER_SIZE])
{
    memset(buf, 0, QEMU_SAVE_HEADER_SIZE);
    memcpy(buf, QEMU_SAVE_MAGIC, strlen(QEMU_SAVE_MAGIC));
    put_u32(buf + 16, QEMU_SAVE_VERSION);
    put_u32(buf + 20, header->xml_len);
    put_u32(buf + 24, header->was_running);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

static int read_all(int fd, void *data, size_t len, size_t *got)
{
    char *p = data;

    *got = 0;
    while (*got < len) {
        ssize_t n = read(fd, p + *got, len - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        *got += (size_t) n;
    }
    return 0;
}

/* O_NONBLOCK so that a FIFO without a reader fails (ENXIO) instead of stopping the loop in
 * open(); cleared again once the header is in, since qemu shares the open file description and
 * its migration thread writes in blocking mode. */
int qemu_save_image_create(const char *path, const char *xml, bool was_running, struct vb_error *err)
{
    size_t xml_size = strlen(xml) + 1;
    struct qemu_save_header header = { .xml_len = (uint32_t) (xml_size + QEMU_SAVE_XML_SPARE),
                                       .was_running = was_running };
    static const char spare[QEMU_SAVE_XML_SPARE];
    unsigned char head[QEMU_SAVE_HEADER_SIZE];
    int fd;

    qemu_save_header_format(&header, head);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (fd < 0)
        return vb_error_set_errno(err, errno, "Failed to create domain save file '%s'", path);
    if (write_all(fd, head, sizeof(head)) < 0 || write_all(fd, xml, xml_size) < 0 ||
        write_all(fd, spare, sizeof(spare)) < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        vb_error_set_errno(err, errno, "failed to write header to domain save file '%s'", path);
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

/* Checks the image open at fd and leaves its offset where qemu's stream begins: qemu reads on
 * from there (it does not seek). */
static int read_to_stream(int fd, const char *path, char **xml_out, bool *was_running, struct vb_error *err)
{
    unsigned char head[QEMU_SAVE_HEADER_SIZE];
    struct qemu_save_header header;
    _cleanup_free_ char *xml = NULL;
    uint64_t data_offset;
    struct stat st;
    size_t got;

    if (fstat(fd, &st) < 0)
        return vb_error_set_errno(err, errno, "Failed to open domain image file '%s'", path);
    if (!S_ISREG(st.st_mode))
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "domain image file '%s' is not a regular file", path);
    if (read_all(fd, head, sizeof(head), &got) < 0)
        return vb_error_set_errno(err, errno, "failed to read qemu header");
    if (qemu_save_header_parse(head, got, &header, err) < 0)
        return -1;
    xml = malloc(header.xml_len);
    if (!xml)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (read_all(fd, xml, header.xml_len, &got) < 0 || got != header.xml_len || !memchr(xml, '\0', header.xml_len))
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "failed to read domain XML");
    data_offset = QEMU_SAVE_HEADER_SIZE + header.xml_len;
    if ((uint64_t) st.st_size <= data_offset)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "save image '%s' holds no migration data", path);
    if (lseek(fd, (off_t) data_offset, SEEK_SET) != (off_t) data_offset)
        return vb_error_set_errno(err, errno, "cannot seek in domain image file '%s'", path);
    *was_running = header.was_running;
    *xml_out = TAKE_PTR(xml);
    return 0;
}

int qemu_save_image_open(const char *path, char **xml, bool *was_running, struct vb_error *err)
{
    /* O_NONBLOCK: a FIFO without a writer must not stop the loop in open(); it is refused. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return vb_error_set_errno(err, errno, "Failed to open domain image file '%s'", path);
    if (read_to_stream(fd, path, xml, was_running, err) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

char *qemu_save_image_read(const char *path, bool *was_running, struct vb_error *err)
{
    char *xml = NULL;
    int fd = qemu_save_image_open(path, &xml, was_running, err);

    if (fd < 0)
        return NULL;
    close(fd);
    return xml;
}

int qemu_save_image_update(const char *path, const char *xml, bool was_running, struct vb_error *err)
{
    static const char zeros[4096];
    unsigned char head[QEMU_SAVE_HEADER_SIZE];
    struct qemu_save_header header;
    _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    size_t got, size = strlen(xml) + 1, left;

    if (fd < 0)
        return vb_error_set_errno(err, errno, "Failed to open domain image file '%s'", path);
    if (read_all(fd, head, sizeof(head), &got) < 0)
        return vb_error_set_errno(err, errno, "failed to read qemu header");
    if (qemu_save_header_parse(head, got, &header, err) < 0)
        return -1;
    if (size > header.xml_len)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "new xml too large to fit in file");
    header.was_running = was_running;
    qemu_save_header_format(&header, head);
    if (lseek(fd, 0, SEEK_SET) < 0 || write_all(fd, head, sizeof(head)) < 0 || write_all(fd, xml, size) < 0)
        return vb_error_set_errno(err, errno, "failed to write header to domain save file '%s'", path);
    for (left = header.xml_len - size; left > 0;) {
        size_t n = left < sizeof(zeros) ? left : sizeof(zeros);

        if (write_all(fd, zeros, n) < 0)
            return vb_error_set_errno(err, errno, "failed to write header to domain save file '%s'", path);
        left -= n;
    }
    return 0;
}
