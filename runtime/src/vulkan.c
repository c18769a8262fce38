/*===- vulkan.c - the Vulkan device: selection, pipelines, dispatch -------===*
 *
 * A Vulkan device of libattnrt runs the SPIR-V kernels that attnc embeds in
 * objects compiled for a Vulkan target (attn/abi.h, "Vulkan kernels").
 *
 *  - The loader (libvulkan.so.1) is opened with dlopen when a device is
 *    created, so the runtime never needs Vulkan unless asked for it.
 *  - One instance, one physical device (chosen by index, by name, by
 *    ATTN_VULKAN_DEVICE, or by type: discrete, integrated, virtual, CPU),
 *    one compute queue.
 *  - Pipelines are built on a kernel's first launch and cached, keyed by its
 *    SPIR-V and entry point name.
 *  - Arguments go through host-visible, coherent staging buffers (grown as
 *    needed, one per binding): each argument's whole byte span is copied in
 *    (outputs too, so that gaps between strided elements keep their bytes),
 *    and outputs are copied back after the dispatch. On integrated GPUs and
 *    CPU devices this memory is the device's own.
 *  - Each launch records timestamps around the dispatch where the queue
 *    supports them (attn_context_last_device_time_ns).
 *  - Launches on one device are serialised by a mutex.
 *
 * Built only where the Vulkan headers are found (ATTN_WITH_VULKAN); other
 * builds report UNIMPLEMENTED.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr, RTLD_NODELETE */
#endif
#include "attn/abi.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ATTN_WITH_VULKAN

attn_status_t attn_vulkan_open(const attn_vulkan_device_options_t *options,
                               attn_vulkan_t **out, char *name, size_t size) {
  (void)options, (void)name, (void)size;
  *out = NULL;
  return attn_status_make(ATTN_STATUS_UNIMPLEMENTED,
                          "this build of libattnrt has no Vulkan support "
                          "(it was built without the Vulkan headers)");
}

void attn_vulkan_close(attn_vulkan_t *vulkan) { (void)vulkan; }

attn_status_t attn_rt_vulkan_launch(attn_context_t *context,
                                    const int64_t *signature, const char *names,
                                    const attn_tensor_t *const *args,
                                    const uint32_t *spirv, int64_t spirv_words,
                                    const char *kernel, const int64_t *launch) {
  (void)context, (void)signature, (void)args, (void)spirv, (void)spirv_words,
      (void)kernel, (void)launch;
  return attn_status_make(ATTN_STATUS_UNIMPLEMENTED,
                          "%s: compiled for Vulkan, but this build of "
                          "libattnrt has no Vulkan support",
                          names ? names : "<entry>");
}

#else

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <dlfcn.h>
#include <pthread.h>
#if defined(__SANITIZE_ADDRESS__)
#include <link.h>
#endif

#define MAX_BINDINGS ATTN_VULKAN_MAX_BINDINGS
#define MAX_DESCRIPTOR_WORDS ATTN_VULKAN_MAX_PARAM_WORDS

/* The Vulkan functions the runtime calls, loaded from the loader. */
#define ATTN_VK_INSTANCE_FUNCTIONS(X)                                          \
  X(vkDestroyInstance)                                                         \
  X(vkEnumeratePhysicalDevices)                                                \
  X(vkGetPhysicalDeviceProperties)                                             \
  X(vkGetPhysicalDeviceQueueFamilyProperties)                                  \
  X(vkGetPhysicalDeviceMemoryProperties)                                       \
  X(vkGetPhysicalDeviceFeatures2)                                              \
  X(vkCreateDevice)                                                            \
  X(vkGetDeviceProcAddr)

#define ATTN_VK_DEVICE_FUNCTIONS(X)                                            \
  X(vkDestroyDevice)                                                           \
  X(vkGetDeviceQueue)                                                          \
  X(vkCreateBuffer)                                                            \
  X(vkDestroyBuffer)                                                           \
  X(vkGetBufferMemoryRequirements)                                             \
  X(vkAllocateMemory)                                                          \
  X(vkFreeMemory)                                                              \
  X(vkBindBufferMemory)                                                        \
  X(vkMapMemory)                                                               \
  X(vkCreateShaderModule)                                                      \
  X(vkDestroyShaderModule)                                                     \
  X(vkCreateDescriptorSetLayout)                                               \
  X(vkDestroyDescriptorSetLayout)                                              \
  X(vkCreatePipelineLayout)                                                    \
  X(vkDestroyPipelineLayout)                                                   \
  X(vkCreateComputePipelines)                                                  \
  X(vkDestroyPipeline)                                                         \
  X(vkCreateDescriptorPool)                                                    \
  X(vkDestroyDescriptorPool)                                                   \
  X(vkResetDescriptorPool)                                                     \
  X(vkAllocateDescriptorSets)                                                  \
  X(vkUpdateDescriptorSets)                                                    \
  X(vkCreateCommandPool)                                                       \
  X(vkDestroyCommandPool)                                                      \
  X(vkAllocateCommandBuffers)                                                  \
  X(vkResetCommandBuffer)                                                      \
  X(vkBeginCommandBuffer)                                                      \
  X(vkEndCommandBuffer)                                                        \
  X(vkCmdBindPipeline)                                                         \
  X(vkCmdBindDescriptorSets)                                                   \
  X(vkCmdDispatch)                                                             \
  X(vkCmdPipelineBarrier)                                                      \
  X(vkCmdResetQueryPool)                                                       \
  X(vkCmdWriteTimestamp)                                                       \
  X(vkCreateQueryPool)                                                         \
  X(vkDestroyQueryPool)                                                        \
  X(vkGetQueryPoolResults)                                                     \
  X(vkCreateFence)                                                             \
  X(vkDestroyFence)                                                            \
  X(vkResetFences)                                                             \
  X(vkWaitForFences)                                                           \
  X(vkQueueSubmit)

typedef struct pipeline_t {
  const uint32_t *spirv;
  int64_t spirv_words;
  char kernel[128];
  uint32_t bindings;
  VkShaderModule shader;
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
} pipeline_t;

typedef struct staging_t {
  VkBuffer buffer;
  VkDeviceMemory memory;
  void *mapped;
  VkDeviceSize size;
} staging_t;

struct attn_vulkan_s {
  void *loader;
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr;
#define X(fn) PFN_##fn fn;
  ATTN_VK_INSTANCE_FUNCTIONS(X)
  ATTN_VK_DEVICE_FUNCTIONS(X)
#undef X
  VkInstance instance;
  VkPhysicalDevice physical;
  VkPhysicalDeviceProperties properties;
  VkPhysicalDeviceMemoryProperties memory;
  int has_16bit_storage;
  VkDevice device;
  uint32_t queue_family;
  VkQueue queue;
  VkCommandPool command_pool;
  VkCommandBuffer command_buffer;
  VkFence fence;
  VkDescriptorPool descriptor_pool;
  VkQueryPool queries; /* VK_NULL_HANDLE without compute timestamps */
  uint64_t timestamp_mask;
  pipeline_t *pipelines;
  int num_pipelines, cap_pipelines;
  staging_t staging[MAX_BINDINGS];
  attn_vulkan_plan_t plan; /* the launch being run (under the mutex) */
  pthread_mutex_t mutex;
};

static const char *result_name(VkResult r) {
  switch (r) {
#define R(x)                                                                   \
  case x:                                                                      \
    return #x;
    R(VK_SUCCESS)
    R(VK_NOT_READY)
    R(VK_TIMEOUT)
    R(VK_INCOMPLETE)
    R(VK_ERROR_OUT_OF_HOST_MEMORY)
    R(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    R(VK_ERROR_INITIALIZATION_FAILED)
    R(VK_ERROR_DEVICE_LOST)
    R(VK_ERROR_MEMORY_MAP_FAILED)
    R(VK_ERROR_LAYER_NOT_PRESENT)
    R(VK_ERROR_EXTENSION_NOT_PRESENT)
    R(VK_ERROR_FEATURE_NOT_PRESENT)
    R(VK_ERROR_INCOMPATIBLE_DRIVER)
    R(VK_ERROR_TOO_MANY_OBJECTS)
    R(VK_ERROR_FORMAT_NOT_SUPPORTED)
    R(VK_ERROR_FRAGMENTED_POOL)
    R(VK_ERROR_OUT_OF_POOL_MEMORY)
    R(VK_ERROR_INVALID_SHADER_NV)
#undef R
  default:
    return "VkResult (unnamed)";
  }
}

/* A status for a failed Vulkan call, its result named. */
static attn_status_t vk_failure(VkResult r, const char *what) {
  attn_status_code_t code = ATTN_STATUS_INTERNAL;
  if (r == VK_ERROR_OUT_OF_HOST_MEMORY || r == VK_ERROR_OUT_OF_DEVICE_MEMORY ||
      r == VK_ERROR_OUT_OF_POOL_MEMORY || r == VK_ERROR_TOO_MANY_OBJECTS)
    code = ATTN_STATUS_RESOURCE_EXHAUSTED;
  else if (r == VK_ERROR_DEVICE_LOST || r == VK_ERROR_INITIALIZATION_FAILED ||
           r == VK_ERROR_INCOMPATIBLE_DRIVER)
    code = ATTN_STATUS_UNAVAILABLE;
  return attn_status_make(code, "vulkan: %s failed: %s (%d)", what,
                          result_name(r), (int)r);
}

#define VK_CHECK(call, what)                                                   \
  do {                                                                         \
    VkResult r_ = (call);                                                      \
    if (r_ != VK_SUCCESS)                                                      \
      return vk_failure(r_, what);                                             \
  } while (0)

static int type_rank(VkPhysicalDeviceType t) {
  switch (t) {
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    return 4;
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    return 3;
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
    return 2;
  case VK_PHYSICAL_DEVICE_TYPE_CPU:
    return 1;
  default:
    return 0;
  }
}

/* The first queue family with compute, or -1. */
static int compute_family(attn_vulkan_t *vk, VkPhysicalDevice pd) {
  uint32_t n = 0;
  vk->vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
  VkQueueFamilyProperties families[32];
  if (n > 32)
    n = 32;
  vk->vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, families);
  for (uint32_t i = 0; i < n; ++i)
    if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
      return (int)i;
  return -1;
}

static attn_status_t choose_device(attn_vulkan_t *vk,
                                   const attn_vulkan_device_options_t *opts) {
  uint32_t n = 0;
  VK_CHECK(vk->vkEnumeratePhysicalDevices(vk->instance, &n, NULL),
           "vkEnumeratePhysicalDevices");
  if (n == 0)
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                            "vulkan: the loader found no physical device "
                            "(install a driver, e.g. Mesa's lavapipe: "
                            "mesa-vulkan-drivers)");
  VkPhysicalDevice devices[64];
  if (n > 64)
    n = 64;
  VkResult r = vk->vkEnumeratePhysicalDevices(vk->instance, &n, devices);
  if (r != VK_SUCCESS && r != VK_INCOMPLETE)
    return vk_failure(r, "vkEnumeratePhysicalDevices");

  int index = opts->physical_device_index;
  const char *name = opts->name_contains;
  const char *env = getenv("ATTN_VULKAN_DEVICE");
  if (index < 0 && !name && env && *env) {
    char *end = NULL;
    long v = strtol(env, &end, 10);
    if (end && *end == '\0')
      index = (int)v;
    else
      name = env;
  }
  int chosen = -1;
  if (index >= 0) {
    if ((uint32_t)index >= n)
      return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                              "vulkan: device index %d requested, but there "
                              "are %u devices",
                              index, n);
    chosen = index;
  } else {
    int best = -1;
    for (uint32_t i = 0; i < n; ++i) {
      VkPhysicalDeviceProperties p;
      vk->vkGetPhysicalDeviceProperties(devices[i], &p);
      if (compute_family(vk, devices[i]) < 0 ||
          p.apiVersion < VK_API_VERSION_1_1)
        continue;
      if (name) {
        if (strstr(p.deviceName, name)) {
          chosen = (int)i;
          break;
        }
        continue;
      }
      if (type_rank(p.deviceType) > best) {
        best = type_rank(p.deviceType);
        chosen = (int)i;
      }
    }
    if (chosen < 0)
      return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                              name ? "vulkan: no Vulkan 1.1 device with a "
                                     "compute queue is named like '%s'"
                                   : "vulkan: no Vulkan 1.1 device with a "
                                     "compute queue%s",
                              name ? name : "");
  }
  vk->physical = devices[chosen];
  vk->vkGetPhysicalDeviceProperties(vk->physical, &vk->properties);
  if (vk->properties.apiVersion < VK_API_VERSION_1_1)
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                            "vulkan: device '%s' implements Vulkan %u.%u; "
                            "attnc's kernels need 1.1",
                            vk->properties.deviceName,
                            VK_API_VERSION_MAJOR(vk->properties.apiVersion),
                            VK_API_VERSION_MINOR(vk->properties.apiVersion));
  int family = compute_family(vk, vk->physical);
  if (family < 0)
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                            "vulkan: device '%s' has no compute queue",
                            vk->properties.deviceName);
  vk->queue_family = (uint32_t)family;
  return NULL;
}

#if defined(__SANITIZE_ADDRESS__)
/* Marks a loaded library never to be unloaded. */
static int pin_library(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size, (void)data;
  if (info->dlpi_name && info->dlpi_name[0])
    dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  return 0;
}
#endif

/* Under LeakSanitizer, the loader and the drivers it loaded stay mapped when
 * the device is closed: what a driver keeps for the life of the process is
 * then reported against its library (which test/lsan.supp names) instead of
 * an unknown module that nothing could tell from libattnrt's own leaks. */
static void pin_drivers_for_leak_checks(void) {
#if defined(__SANITIZE_ADDRESS__)
  dl_iterate_phdr(pin_library, NULL);
#endif
}

static attn_status_t open_device(attn_vulkan_t *vk,
                                 const attn_vulkan_device_options_t *opts) {
  vk->loader = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!vk->loader)
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                            "vulkan: cannot load the Vulkan loader "
                            "libvulkan.so.1 (%s)",
                            dlerror());
  vk->vkGetInstanceProcAddr =
      (PFN_vkGetInstanceProcAddr)dlsym(vk->loader, "vkGetInstanceProcAddr");
  if (!vk->vkGetInstanceProcAddr)
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                            "vulkan: libvulkan.so.1 has no "
                            "vkGetInstanceProcAddr");
  PFN_vkCreateInstance create_instance =
      (PFN_vkCreateInstance)vk->vkGetInstanceProcAddr(NULL, "vkCreateInstance");
  if (!create_instance)
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                            "vulkan: the loader has no vkCreateInstance");
  VkApplicationInfo app = {VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "libattnrt";
  app.pEngineName = "attnc";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo ici = {VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ici.pApplicationInfo = &app;
  VK_CHECK(create_instance(&ici, NULL, &vk->instance), "vkCreateInstance");
#define X(fn)                                                                  \
  vk->fn = (PFN_##fn)vk->vkGetInstanceProcAddr(vk->instance, #fn);             \
  if (!vk->fn)                                                                 \
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,                           \
                            "vulkan: the instance has no " #fn);
  ATTN_VK_INSTANCE_FUNCTIONS(X)
#undef X

  attn_status_t status = choose_device(vk, opts);
  pin_drivers_for_leak_checks();
  if (status)
    return status;
  vk->vkGetPhysicalDeviceMemoryProperties(vk->physical, &vk->memory);
  VkPhysicalDevice16BitStorageFeatures storage16 = {
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
  VkPhysicalDeviceFeatures2 features = {
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.pNext = &storage16;
  vk->vkGetPhysicalDeviceFeatures2(vk->physical, &features);
  vk->has_16bit_storage = storage16.storageBuffer16BitAccess == VK_TRUE;

  float priority = 1.0f;
  VkDeviceQueueCreateInfo qci = {VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qci.queueFamilyIndex = vk->queue_family;
  qci.queueCount = 1;
  qci.pQueuePriorities = &priority;
  VkPhysicalDevice16BitStorageFeatures enable16 = {
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
  enable16.storageBuffer16BitAccess =
      vk->has_16bit_storage ? VK_TRUE : VK_FALSE;
  VkDeviceCreateInfo dci = {VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  dci.pNext = &enable16;
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  VK_CHECK(vk->vkCreateDevice(vk->physical, &dci, NULL, &vk->device),
           "vkCreateDevice");
#define X(fn)                                                                  \
  vk->fn = (PFN_##fn)vk->vkGetDeviceProcAddr(vk->device, #fn);                 \
  if (!vk->fn)                                                                 \
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,                           \
                            "vulkan: the device has no " #fn);
  ATTN_VK_DEVICE_FUNCTIONS(X)
#undef X
  vk->vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);

  VkCommandPoolCreateInfo cpci = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  cpci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  cpci.queueFamilyIndex = vk->queue_family;
  VK_CHECK(vk->vkCreateCommandPool(vk->device, &cpci, NULL, &vk->command_pool),
           "vkCreateCommandPool");
  VkCommandBufferAllocateInfo cbai = {
      VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cbai.commandPool = vk->command_pool;
  cbai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cbai.commandBufferCount = 1;
  VK_CHECK(vk->vkAllocateCommandBuffers(vk->device, &cbai, &vk->command_buffer),
           "vkAllocateCommandBuffers");
  VkFenceCreateInfo fci = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VK_CHECK(vk->vkCreateFence(vk->device, &fci, NULL, &vk->fence),
           "vkCreateFence");
  VkDescriptorPoolSize pool_size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                    MAX_BINDINGS};
  VkDescriptorPoolCreateInfo dpci = {
      VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpci.maxSets = 1;
  dpci.poolSizeCount = 1;
  dpci.pPoolSizes = &pool_size;
  VK_CHECK(
      vk->vkCreateDescriptorPool(vk->device, &dpci, NULL, &vk->descriptor_pool),
      "vkCreateDescriptorPool");

  /* Timestamps where the queue has them. */
  uint32_t nf = 0;
  vk->vkGetPhysicalDeviceQueueFamilyProperties(vk->physical, &nf, NULL);
  VkQueueFamilyProperties families[32];
  if (nf > 32)
    nf = 32;
  vk->vkGetPhysicalDeviceQueueFamilyProperties(vk->physical, &nf, families);
  uint32_t bits = families[vk->queue_family].timestampValidBits;
  if (bits > 0 && vk->properties.limits.timestampPeriod > 0) {
    VkQueryPoolCreateInfo qpci = {VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qpci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qpci.queryCount = 2;
    VK_CHECK(vk->vkCreateQueryPool(vk->device, &qpci, NULL, &vk->queries),
             "vkCreateQueryPool");
    vk->timestamp_mask = bits >= 64 ? ~0ull : ((1ull << bits) - 1);
  }
  pthread_mutex_init(&vk->mutex, NULL);
  return NULL;
}

attn_status_t attn_vulkan_open(const attn_vulkan_device_options_t *options,
                               attn_vulkan_t **out, char *name, size_t size) {
  *out = NULL;
  attn_vulkan_t *vk = calloc(1, sizeof(*vk));
  if (!vk)
    return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  attn_status_t status = open_device(vk, options);
  if (status) {
    attn_vulkan_close(vk);
    return status;
  }
  snprintf(name, size, "%s", vk->properties.deviceName);
  *out = vk;
  return NULL;
}

void attn_vulkan_close(attn_vulkan_t *vk) {
  if (!vk)
    return;
  if (vk->device) {
    for (int i = 0; i < vk->num_pipelines; ++i) {
      pipeline_t *p = &vk->pipelines[i];
      vk->vkDestroyPipeline(vk->device, p->pipeline, NULL);
      vk->vkDestroyPipelineLayout(vk->device, p->layout, NULL);
      vk->vkDestroyDescriptorSetLayout(vk->device, p->set_layout, NULL);
      vk->vkDestroyShaderModule(vk->device, p->shader, NULL);
    }
    for (int i = 0; i < MAX_BINDINGS; ++i) {
      if (vk->staging[i].buffer)
        vk->vkDestroyBuffer(vk->device, vk->staging[i].buffer, NULL);
      if (vk->staging[i].memory)
        vk->vkFreeMemory(vk->device, vk->staging[i].memory, NULL);
    }
    if (vk->queries)
      vk->vkDestroyQueryPool(vk->device, vk->queries, NULL);
    if (vk->descriptor_pool)
      vk->vkDestroyDescriptorPool(vk->device, vk->descriptor_pool, NULL);
    if (vk->fence)
      vk->vkDestroyFence(vk->device, vk->fence, NULL);
    if (vk->command_pool)
      vk->vkDestroyCommandPool(vk->device, vk->command_pool, NULL);
    vk->vkDestroyDevice(vk->device, NULL);
    pthread_mutex_destroy(&vk->mutex);
  }
  if (vk->instance && vk->vkDestroyInstance)
    vk->vkDestroyInstance(vk->instance, NULL);
  if (vk->loader)
    dlclose(vk->loader);
  free(vk->pipelines);
  free(vk);
}

/* The cached pipeline of `kernel` in `spirv`, built on first use. */
static attn_status_t get_pipeline(attn_vulkan_t *vk, const uint32_t *spirv,
                                  int64_t words, const char *kernel,
                                  uint32_t bindings, pipeline_t **out) {
  for (int i = 0; i < vk->num_pipelines; ++i) {
    pipeline_t *p = &vk->pipelines[i];
    if (p->spirv == spirv && p->spirv_words == words &&
        strcmp(p->kernel, kernel) == 0 && p->bindings == bindings) {
      *out = p;
      return NULL;
    }
  }
  if (strlen(kernel) >= sizeof(vk->pipelines[0].kernel))
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "vulkan: kernel name '%s' is too long", kernel);
  if (vk->num_pipelines == vk->cap_pipelines) {
    int cap = vk->cap_pipelines ? 2 * vk->cap_pipelines : 8;
    pipeline_t *grown = realloc(vk->pipelines, (size_t)cap * sizeof(*grown));
    if (!grown)
      return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    vk->pipelines = grown;
    vk->cap_pipelines = cap;
  }
  pipeline_t p;
  memset(&p, 0, sizeof(p));
  p.spirv = spirv;
  p.spirv_words = words;
  snprintf(p.kernel, sizeof(p.kernel), "%s", kernel);
  p.bindings = bindings;

  VkShaderModuleCreateInfo smci = {VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smci.codeSize = (size_t)words * 4;
  smci.pCode = spirv;
  VK_CHECK(vk->vkCreateShaderModule(vk->device, &smci, NULL, &p.shader),
           "vkCreateShaderModule");
  VkDescriptorSetLayoutBinding layout_bindings[MAX_BINDINGS];
  for (uint32_t i = 0; i < bindings; ++i) {
    VkDescriptorSetLayoutBinding b = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                      VK_SHADER_STAGE_COMPUTE_BIT, NULL};
    layout_bindings[i] = b;
  }
  VkDescriptorSetLayoutCreateInfo dslci = {
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  dslci.bindingCount = bindings;
  dslci.pBindings = layout_bindings;
  VK_CHECK(
      vk->vkCreateDescriptorSetLayout(vk->device, &dslci, NULL, &p.set_layout),
      "vkCreateDescriptorSetLayout");
  VkPipelineLayoutCreateInfo plci = {
      VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  plci.setLayoutCount = 1;
  plci.pSetLayouts = &p.set_layout;
  VK_CHECK(vk->vkCreatePipelineLayout(vk->device, &plci, NULL, &p.layout),
           "vkCreatePipelineLayout");
  VkComputePipelineCreateInfo cpci = {
      VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cpci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  cpci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cpci.stage.module = p.shader;
  cpci.stage.pName = p.kernel;
  cpci.layout = p.layout;
  VK_CHECK(vk->vkCreateComputePipelines(vk->device, VK_NULL_HANDLE, 1, &cpci,
                                        NULL, &p.pipeline),
           "vkCreateComputePipelines");
  vk->pipelines[vk->num_pipelines] = p;
  *out = &vk->pipelines[vk->num_pipelines++];
  return NULL;
}

/* A host-visible, coherent memory type among `bits`, preferring device-local
 * memory (integrated GPUs, resizable BAR); -1 if none. */
static int host_memory_type(attn_vulkan_t *vk, uint32_t bits) {
  const VkMemoryPropertyFlags need = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  int found = -1;
  for (uint32_t i = 0; i < vk->memory.memoryTypeCount; ++i) {
    VkMemoryPropertyFlags f = vk->memory.memoryTypes[i].propertyFlags;
    if (!(bits & (1u << i)) || (f & need) != need)
      continue;
    if (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
      return (int)i;
    if (found < 0)
      found = (int)i;
  }
  return found;
}

/* Makes staging buffer `slot` hold at least `bytes`. */
static attn_status_t ensure_staging(attn_vulkan_t *vk, int slot,
                                    VkDeviceSize bytes) {
  staging_t *s = &vk->staging[slot];
  if (bytes < 16)
    bytes = 16;
  if (s->buffer && s->size >= bytes)
    return NULL;
  if (s->buffer)
    vk->vkDestroyBuffer(vk->device, s->buffer, NULL);
  if (s->memory)
    vk->vkFreeMemory(vk->device, s->memory, NULL);
  memset(s, 0, sizeof(*s));
  VkBufferCreateInfo bci = {VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = bytes;
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VK_CHECK(vk->vkCreateBuffer(vk->device, &bci, NULL, &s->buffer),
           "vkCreateBuffer");
  VkMemoryRequirements req;
  vk->vkGetBufferMemoryRequirements(vk->device, s->buffer, &req);
  int type = host_memory_type(vk, req.memoryTypeBits);
  if (type < 0)
    return attn_status_make(ATTN_STATUS_UNAVAILABLE,
                            "vulkan: device '%s' has no host-visible coherent "
                            "memory for storage buffers",
                            vk->properties.deviceName);
  VkMemoryAllocateInfo mai = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = (uint32_t)type;
  VK_CHECK(vk->vkAllocateMemory(vk->device, &mai, NULL, &s->memory),
           "vkAllocateMemory");
  VK_CHECK(vk->vkBindBufferMemory(vk->device, s->buffer, s->memory, 0),
           "vkBindBufferMemory");
  VK_CHECK(
      vk->vkMapMemory(vk->device, s->memory, 0, VK_WHOLE_SIZE, 0, &s->mapped),
      "vkMapMemory");
  s->size = bytes;
  return NULL;
}

/* Checks the launch (attn_vulkan_plan_launch), then stages, dispatches and
 * downloads. */
static attn_status_t run_locked(attn_vulkan_t *vk, attn_context_t *context,
                                const char *entry, const int64_t *sig,
                                const attn_tensor_t *const *args,
                                const int64_t *descriptors,
                                const uint32_t *spirv, int64_t spirv_words,
                                const char *kernel, const int64_t *launch) {
  /* Every check that needs no device (vulkan_launch.c). */
  const VkPhysicalDeviceLimits *l = &vk->properties.limits;
  attn_vulkan_limits_t limits = {
      .device_name = vk->properties.deviceName,
      .max_workgroup_invocations = l->maxComputeWorkGroupInvocations,
      .max_workgroup_size_x = l->maxComputeWorkGroupSize[0],
      .max_shared_memory = l->maxComputeSharedMemorySize,
      .max_workgroup_count = {l->maxComputeWorkGroupCount[0],
                              l->maxComputeWorkGroupCount[1],
                              l->maxComputeWorkGroupCount[2]},
      .max_storage_buffer_range = l->maxStorageBufferRange,
      .has_16bit_storage = vk->has_16bit_storage,
      .stops_loops = strncmp(vk->properties.deviceName, "llvmpipe", 8) == 0};
  attn_vulkan_plan_t *plan = &vk->plan;
  attn_status_t status =
      attn_vulkan_plan_launch(&limits, entry, sig, args, descriptors, launch,
                              attn_context_scratch_limit(context), plan);
  if (status || plan->empty)
    return status;
  int64_t num_args = sig[2];
  uint32_t bindings = (uint32_t)num_args + 1;
  const attn_vulkan_span_t *spans = plan->spans;
  const int32_t *params = plan->params;
  const uint32_t *grid = plan->grid;
  int64_t w = plan->num_params;
  const int64_t *p = NULL;

  pipeline_t *pipe = NULL;
  status = get_pipeline(vk, spirv, spirv_words, kernel, bindings, &pipe);
  if (status)
    return status;

  VkDescriptorBufferInfo infos[MAX_BINDINGS];
  VkWriteDescriptorSet writes[MAX_BINDINGS];
  for (uint32_t b = 0; b < bindings; ++b) {
    size_t bytes = b < num_args ? spans[b].bytes : (size_t)w * sizeof(int32_t);
    if ((status = ensure_staging(vk, (int)b, bytes)))
      return status;
    if (b < num_args) {
      if (bytes)
        memcpy(vk->staging[b].mapped, spans[b].base, bytes);
    } else {
      memcpy(vk->staging[b].mapped, params, bytes);
    }
    VkDescriptorBufferInfo info = {vk->staging[b].buffer, 0, VK_WHOLE_SIZE};
    infos[b] = info;
  }
  VK_CHECK(vk->vkResetDescriptorPool(vk->device, vk->descriptor_pool, 0),
           "vkResetDescriptorPool");
  VkDescriptorSetAllocateInfo dsai = {
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  dsai.descriptorPool = vk->descriptor_pool;
  dsai.descriptorSetCount = 1;
  dsai.pSetLayouts = &pipe->set_layout;
  VkDescriptorSet set;
  VK_CHECK(vk->vkAllocateDescriptorSets(vk->device, &dsai, &set),
           "vkAllocateDescriptorSets");
  for (uint32_t b = 0; b < bindings; ++b) {
    VkWriteDescriptorSet wds = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    wds.dstSet = set;
    wds.dstBinding = b;
    wds.descriptorCount = 1;
    wds.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    wds.pBufferInfo = &infos[b];
    writes[b] = wds;
  }
  vk->vkUpdateDescriptorSets(vk->device, bindings, writes, 0, NULL);

  VkCommandBuffer cb = vk->command_buffer;
  VK_CHECK(vk->vkResetCommandBuffer(cb, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo cbbi = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  cbbi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VK_CHECK(vk->vkBeginCommandBuffer(cb, &cbbi), "vkBeginCommandBuffer");
  if (vk->queries) {
    vk->vkCmdResetQueryPool(cb, vk->queries, 0, 2);
    vk->vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, vk->queries,
                            0);
  }
  vk->vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe->pipeline);
  vk->vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe->layout,
                              0, 1, &set, 0, NULL);
  vk->vkCmdDispatch(cb, grid[0], grid[1], grid[2]);
  if (vk->queries)
    vk->vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                            vk->queries, 1);
  /* The kernel's writes become visible to the host reads below. */
  VkMemoryBarrier barrier = {VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vk->vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, NULL,
                           0, NULL);
  VK_CHECK(vk->vkEndCommandBuffer(cb), "vkEndCommandBuffer");
  VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  VK_CHECK(vk->vkResetFences(vk->device, 1, &vk->fence), "vkResetFences");
  VK_CHECK(vk->vkQueueSubmit(vk->queue, 1, &si, vk->fence), "vkQueueSubmit");
  VK_CHECK(vk->vkWaitForFences(vk->device, 1, &vk->fence, VK_TRUE, UINT64_MAX),
           "vkWaitForFences");

  p = sig + 4;
  for (int64_t a = 0; a < num_args; ++a) {
    if (p[2] && spans[a].bytes)
      memcpy((void *)spans[a].base, vk->staging[a].mapped, spans[a].bytes);
    p += 3 + p[1];
  }
  int64_t ns = -1;
  if (vk->queries) {
    uint64_t ticks[2];
    if (vk->vkGetQueryPoolResults(vk->device, vk->queries, 0, 2, sizeof(ticks),
                                  ticks, sizeof(uint64_t),
                                  VK_QUERY_RESULT_64_BIT |
                                      VK_QUERY_RESULT_WAIT_BIT) == VK_SUCCESS) {
      uint64_t delta = (ticks[1] - ticks[0]) & vk->timestamp_mask;
      ns = (int64_t)((double)delta * vk->properties.limits.timestampPeriod);
    }
  }
  attn_context_set_device_time_ns(context, ns);
  return NULL;
}

attn_status_t attn_rt_vulkan_launch(attn_context_t *context, const int64_t *sig,
                                    const char *names,
                                    const attn_tensor_t *const *args,
                                    const uint32_t *spirv, int64_t spirv_words,
                                    const char *kernel, const int64_t *launch) {
  int64_t descriptors[MAX_DESCRIPTOR_WORDS];
  int64_t words = 0;
  const int64_t *p = sig + 4;
  for (int64_t a = 0; a < sig[2]; ++a) {
    words += ATTN_ABI_DESCRIPTOR_WORDS(p[1]);
    p += 3 + p[1];
  }
  if (words > MAX_DESCRIPTOR_WORDS)
    return attn_status_make(ATTN_STATUS_INTERNAL,
                            "vulkan: the entry's arguments need %lld "
                            "descriptor words, more than the runtime's %d",
                            (long long)words, MAX_DESCRIPTOR_WORDS);
  attn_status_t status = attn_rt_bind_args_on(context, ATTN_DEVICE_VULKAN, sig,
                                              names, args, descriptors);
  if (status)
    return status;
  const attn_device_t *device = attn_context_device(context);
  attn_vulkan_t *vk = device->vulkan;
  char entry[128];
  const char *colon = strchr(names, ':');
  snprintf(entry, sizeof(entry), "%.*s",
           (int)(colon ? colon - names : (long)strlen(names)), names);
  pthread_mutex_lock(&vk->mutex);
  status = run_locked(vk, context, entry, sig, args, descriptors, spirv,
                      spirv_words, kernel, launch);
  pthread_mutex_unlock(&vk->mutex);
  return status;
}

#endif /* ATTN_WITH_VULKAN */
