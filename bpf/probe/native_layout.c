/* native_layout.c: prints the C sizes, offsets and enum values of the libbpf and kernel structs that the
 * collector fills from Java (NativeLayout.java); BpfNativeLayoutTest compiles and runs it with gcc. */
#include <stdio.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/epoll.h>
#define S(t) printf("sizeof %s %zu\n", #t, sizeof(struct t))
#define O(t,f) printf("offsetof %s.%s %zu\n", #t, #f, offsetof(struct t, f))
#define V(e) printf("value %s %d\n", #e, (int)(e))
int main(void){
S(bpf_object_open_opts); O(bpf_object_open_opts, object_name);
S(bpf_tc_hook); O(bpf_tc_hook, ifindex); O(bpf_tc_hook, attach_point); O(bpf_tc_hook, parent);
S(bpf_tc_opts); O(bpf_tc_opts, prog_fd); O(bpf_tc_opts, flags); O(bpf_tc_opts, prog_id); O(bpf_tc_opts, handle); O(bpf_tc_opts, priority);
S(bpf_test_run_opts); O(bpf_test_run_opts, data_in); O(bpf_test_run_opts, data_out); O(bpf_test_run_opts, data_size_in); O(bpf_test_run_opts, data_size_out); O(bpf_test_run_opts, ctx_in); O(bpf_test_run_opts, ctx_size_in); O(bpf_test_run_opts, retval); O(bpf_test_run_opts, repeat);
S(__sk_buff); O(__sk_buff, ifindex);
S(epoll_event); O(epoll_event, data);
S(bpf_map_info); O(bpf_map_info, type); O(bpf_map_info,key_size); O(bpf_map_info,value_size); O(bpf_map_info,max_entries); O(bpf_map_info,map_flags);
V(BPF_MAP_TYPE_HASH); V(BPF_MAP_TYPE_ARRAY); V(BPF_MAP_TYPE_LRU_HASH); V(BPF_ANY); V(BPF_NOEXIST);
V(BPF_TC_INGRESS); V(BPF_TC_EGRESS); V(BPF_TC_F_REPLACE);
return 0;}
